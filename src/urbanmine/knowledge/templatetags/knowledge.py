from django import template

from urbanmine.knowledge.rendering import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str):
    """A member's Markdown, rendered and sanitised."""
    return render_markdown(text)
