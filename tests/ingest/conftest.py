import os

import pytest
import redis

from tests.factories import CompanyAliasFactory, CompanyFactory

BROKER_URL = os.environ.get("TEST_CELERY_BROKER_URL", "redis://127.0.0.1:6379/9")

ARTICLE = (
    "Seoul Cells will supply 5 GWh of LFP batteries to China's Dragon Motors over the next "
    "four years. The two companies signed the contract last month. "
    "Separately, Seoul Cells is in talks with Nova Lithium Materials to buy cathode materials."
)


@pytest.fixture
def known_companies(db):
    """Two companies the database knows; the article names a third it does not."""
    seoul = CompanyFactory(name="Seoul Cells", slug="seoul-cells", name_ko="서울셀")
    dragon = CompanyFactory(
        name="Dragon Motors", slug="dragon-motors", country="CN", chain_role="automaker"
    )
    CompanyAliasFactory(company=dragon, name="Dragon Auto")
    return seoul, dragon


@pytest.fixture
def article_fields():
    return {
        "title": "Seoul Cells wins Dragon Motors order",
        "publisher": "Example Wire",
        "url": "https://news.example.org/seoul-cells-dragon",
        "language": "en",
        "published_on": __import__("datetime").date(2025, 7, 1),
        "published_precision": "month",
        "text": ARTICLE,
    }


@pytest.fixture
def broker():
    """The real Redis broker; a clear failure, not a skip, when it is not running."""
    client = redis.Redis.from_url(BROKER_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as error:
        pytest.fail(f"The real-worker tests need Redis at {BROKER_URL} ({error}); start it.")
    yield BROKER_URL
    client.close()
