"""The professionals API: the caller's own profile and offerings, and public profiles."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, post, put
from litestar.params import FromPath, JSONBody

from confer.core.dependencies import CurrentPrincipal, RuntimeDep
from confer.modules.accounts import service as accounts
from confer.modules.professionals import service
from confer.modules.professionals.schemas import OfferingCreate, OfferingOut, ProfileIn, ProfileOut

BEARER: list[dict[str, list[str]]] = [{"bearer": []}]


class MyPracticeController(Controller):
    path = "/api/v1/me"
    tags = ["professionals"]
    security = BEARER

    @put("/professional")
    async def save_profile(
        self, data: JSONBody[ProfileIn], runtime: RuntimeDep, principal: CurrentPrincipal
    ) -> ProfileOut:
        """Create or replace the caller's professional profile (role professional)."""
        if data.published:
            await accounts.require_verified_email(runtime, principal)
        return await service.save_profile(runtime, principal, data)

    @get("/professional")
    async def my_profile(self, principal: CurrentPrincipal) -> ProfileOut | None:
        """The caller's own profile, published or not, with all its offerings; `null` before it is created (a new
        professional's first state, not an error)."""
        return await service.my_profile(principal)

    @post("/offerings", status_code=201)
    async def create_offering(
        self, data: JSONBody[OfferingCreate], runtime: RuntimeDep, principal: CurrentPrincipal
    ) -> OfferingOut:
        return await service.create_offering(runtime, principal, data)

    @put("/offerings/{offering_id:uuid}")
    async def replace_offering(
        self,
        offering_id: FromPath[UUID],
        data: JSONBody[OfferingCreate],
        runtime: RuntimeDep,
        principal: CurrentPrincipal,
    ) -> OfferingOut:
        """Replace one of the caller's offerings (its kind stays); `published: false` takes it off the profile.
        Bookings already made keep their times and terms."""
        return await service.replace_offering(runtime, principal, offering_id, data)

    @get("/offerings")
    async def my_offerings(self, principal: CurrentPrincipal) -> list[OfferingOut]:
        return await service.my_offerings(principal)


class ProfessionalsController(Controller):
    path = "/api/v1/professionals"
    tags = ["professionals"]

    @get("/{professional_id:uuid}")
    async def profile(self, professional_id: FromPath[UUID]) -> ProfileOut:
        """A published profile with its published offerings."""
        return await service.public_profile(professional_id)
