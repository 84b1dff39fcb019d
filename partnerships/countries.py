"""Country codes as the product shows them: names, and pairs written Korea first, China second."""

from django_countries import countries


def country_name(code):
    return str(countries.name(code)) if code else ""


def _country_order(code):
    # "KR-CN", not "CN-KR": the product reads Korea first, China second, then the rest.
    return (code != "KR", code != "CN", code)


def country_pair_key(first, second):
    a, b = sorted((first, second), key=_country_order)
    return f"{a}-{b}"
