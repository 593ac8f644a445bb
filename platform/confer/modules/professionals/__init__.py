"""Professionals: public profiles and offerings (consultations and classes)."""

from confer.core.modules import Module
from confer.modules.professionals.demo import seed_demo
from confer.modules.professionals.routes import MyPracticeController, ProfessionalsController

module = Module(
    name="professionals",
    requires=("accounts",),
    route_handlers=[MyPracticeController, ProfessionalsController],
    piccolo_app="confer.modules.professionals.piccolo_app",
    seed_demo=seed_demo,
)
