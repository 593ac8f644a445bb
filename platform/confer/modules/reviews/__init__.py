"""Reviews: a completed booking's client rates it once (editable for a while), its professional replies once, an
admin hides what should not be shown; each professional's rating aggregate, kept in the same transactions, feeds
search."""

from confer.core.modules import Module
from confer.modules.reviews.routes import ReviewController
from confer.modules.reviews.settings import ReviewsSettings

module = Module(
    name="reviews",
    requires=("accounts", "professionals", "booking"),
    route_handlers=[ReviewController],
    piccolo_app="confer.modules.reviews.piccolo_app",
    settings=ReviewsSettings,
)
