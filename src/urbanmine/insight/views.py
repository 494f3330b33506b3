from django.shortcuts import render


def dashboard(request):
    """Placeholder until the province dashboard lands (issue 5)."""
    return render(request, "insight/dashboard.html", {})
