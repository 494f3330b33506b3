"""Serializers other apps' APIs use to name an organisation."""

from rest_framework import serializers

from .models import Organisation


class OrganisationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name"]
