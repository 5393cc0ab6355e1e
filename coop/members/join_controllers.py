"""HTTP for the public joining pages: the classes, a class's form, check answers, send, and the reply link."""

from __future__ import annotations

from typing import Any

from litestar import Controller, HttpMethod, MediaType, Request, route
from litestar.exceptions import MethodNotAllowedException, NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from coop.actor import actor_of
from coop.form_values import form_text
from coop.members import (
    applications,
)
from coop.members.guards import PUBLIC
from coop.members.words import CONTACT_BY
from coop.organisations.service import constitution_of, public_organisation
from coop.web import form_errors_page, render


async def _public_org(slug: str) -> dict[str, Any]:
    row = await public_organisation(slug)
    if row is None:
        raise NotFoundException()
    return row


class JoinController(Controller):
    path = "/o/{org_slug:str}/join"

    @route(
        ["/", "/{class_key:str}", "/{class_key:str}/send", "/reply/{token:str}"],
        http_method=[HttpMethod.GET, HttpMethod.POST],
        opt=PUBLIC,
        name="join",
        media_type=MediaType.HTML,  # redirects and templates alike; without it Litestar assumes JSON
    )
    async def join(self, request: Request[Any, Any, Any], org_slug: FromPath[str]) -> Any:
        """Every public joining page, in one public handler: the classes, a class's form, check answers,
        sending, and the one-time link to answer the board's question."""
        post = request.method == HttpMethod.POST
        token = request.path_params.get("token")
        class_key = request.path_params.get("class_key")
        if token is not None:
            return await (self.reply if post else self.reply_form)(request, org_slug, token)
        if class_key is None:
            if post:
                raise MethodNotAllowedException()
            return await self.index(request, org_slug)
        if request.url.path.rstrip("/").endswith("/send"):
            if not post:
                raise MethodNotAllowedException()
            return await self.send(request, org_slug, class_key)
        return await (self.check if post else self.show)(request, org_slug, class_key)

    async def index(self, request: Request[Any, Any, Any], org_slug: FromPath[str]) -> Template:
        organisation = await _public_org(org_slug)
        constitution = await constitution_of(organisation["id"])
        return render(
            request, "members/join.html", {"organisation": organisation, "constitution": constitution}
        )

    async def _class(self, org_slug: str, class_key: str) -> tuple[dict[str, Any], Any, Any]:
        organisation = await _public_org(org_slug)
        constitution = await constitution_of(organisation["id"])
        member_class = constitution.member_class(class_key)
        if member_class is None:
            raise NotFoundException()
        return organisation, constitution, member_class

    def _form(self, form: Any, member_class: Any) -> applications.ApplicationForm:
        answers = tuple(
            {"yes": True, "no": False}.get(form_text(form, f"answer_{i}"))
            for i in range(len(member_class.eligibility_questions))
        )
        return applications.ApplicationForm(
            name=form_text(form, "name", 300),
            email=form_text(form, "email", 400),
            address=form_text(form, "address", 1100),
            contact_by=form_text(form, "contact_by"),
            answers=answers,
            about=form_text(form, "about", 4100),
        )

    def _context(
        self, organisation: dict[str, Any], member_class: Any, form: applications.ApplicationForm | None
    ) -> dict[str, Any]:
        return {
            "organisation": organisation,
            "member_class": member_class,
            "form": form,
            "contact_by": CONTACT_BY,
        }

    async def show(
        self, request: Request[Any, Any, Any], org_slug: FromPath[str], class_key: FromPath[str]
    ) -> Template:
        organisation, _, member_class = await self._class(org_slug, class_key)
        return render(request, "members/join_form.html", self._context(organisation, member_class, None))

    async def check(
        self, request: Request[Any, Any, Any], org_slug: FromPath[str], class_key: FromPath[str]
    ) -> Template:
        """Check the answers; if they are complete, show them back before anything is sent."""
        organisation, constitution, member_class = await self._class(org_slug, class_key)
        data = self._form(await request.form(), member_class)
        context = self._context(organisation, member_class, data)
        if form_text(await request.form(), "change") == "yes":
            return render(request, "members/join_form.html", context)
        errors = applications.application_errors(constitution, class_key, data)
        if errors:
            return form_errors_page(request, "members/join_form.html", errors, context)
        return render(request, "members/join_check.html", context)

    async def send(
        self, request: Request[Any, Any, Any], org_slug: FromPath[str], class_key: FromPath[str]
    ) -> Template:
        organisation, constitution, member_class = await self._class(org_slug, class_key)
        data = self._form(await request.form(), member_class)
        errors = applications.application_errors(constitution, class_key, data)
        if errors:
            return form_errors_page(
                request, "members/join_form.html", errors, self._context(organisation, member_class, data)
            )
        await applications.submit_application(
            organisation["id"], class_key, data, constitution, actor_of(request)
        )
        return render(
            request,
            "members/join_sent.html",
            {"organisation": organisation, "member_class": member_class, "email": data.email.strip()},
        )

    async def reply_form(
        self, request: Request[Any, Any, Any], org_slug: FromPath[str], token: FromPath[str]
    ) -> Template:
        application = await applications.application_for_reply(org_slug, token)
        return render(
            request, "members/join_reply.html", {"application": application, "token": token, "slug": org_slug}
        )

    async def reply(
        self, request: Request[Any, Any, Any], org_slug: FromPath[str], token: FromPath[str]
    ) -> Template:
        application = await applications.application_for_reply(org_slug, token)
        context = {"application": application, "token": token, "slug": org_slug}
        if application is None:
            return render(request, "members/join_reply.html", context)
        reply = form_text(await request.form(), "reply", 4100)
        if not reply.strip() or len(reply) > 4000:
            message = (
                "Enter your answer" if not reply.strip() else "Your answer must be 4000 characters or fewer"
            )
            return form_errors_page(
                request, "members/join_reply.html", {"reply": message}, {**context, "reply": reply}
            )
        await applications.reply_to_application(application, reply, actor_of(request))
        return render(request, "members/join_reply.html", {**context, "sent": True})
