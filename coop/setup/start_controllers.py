"""HTTP for /start: starting an organisation one question at a time. Every answer is saved as it is given
(so "save and come back later" loses nothing), checked again on "check your answers", and "create" goes
through the same founding service as `coop create-org`."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from coop import clock
from coop.actor import actor_of
from coop.guards import current_session, requires_sign_in
from coop.setup import start_service as service
from coop.web import form_errors_page, is_htmx, redirect, render
from governance.notice import MONTH_NAMES
from governance.violations import RuleViolationError


def _destination(form: Any, default: str) -> str:
    """Where a question page goes after a good answer: on, back to the check page, or away to /start."""
    if form.get("then") == "later":
        return "/start?saved=1"
    if form.get("change") == "1":
        return "/start/check"
    return default


async def _context(request: Request[Any, Any, Any], page: str, **extra: Any) -> dict[str, Any]:
    session = current_session(request)
    draft = await service.load_draft(session.person_id)
    change = request.query_params.get("change") == "1" or extra.pop("change", False)
    return {
        "draft": draft,
        "answers": draft.answers,
        "model": draft.model,
        "models": service.models(),
        "page": page,
        "change": change,
        "back": "/start/check" if change else f"/start/{service.previous_page(page) or ''}".rstrip("/"),
        "form": {},
        "flags": service.flags_for(draft) if page == "name" else [],
        "board_status": service.board_status(draft, clock.today()) if page in ("founders", "check") else [],
        **extra,
    }


class StartLandingController(Controller):
    """/start itself is open to visitors: they are asked to create an account (or sign in) first."""

    path = "/start"

    @get("/", opt={"public": True}, name="start")
    async def start(self, request: Request[Any, Any, Any]) -> Template:
        if request.scope.get("user") is None:
            return render(request, "start/start.html", {"visitor": True})
        draft = await service.load_draft(current_session(request).person_id)
        context = {
            "draft": draft,
            "resume": service.resume_page(draft),
            "saved": request.query_params.get("saved"),
            "welcome": request.query_params.get("welcome"),
        }
        return render(request, "start/start.html", context)


class StartController(Controller):
    path = "/start"
    guards = [requires_sign_in]

    @post("/again", name="start_again")
    async def again(self, request: Request[Any, Any, Any]) -> Response[Any]:
        await service.start_again(current_session(request).person_id)
        return redirect(request, "/start/model")

    @get("/check", name="start_check")
    async def check(self, request: Request[Any, Any, Any]) -> Template:
        return render(request, "start/check.html", await self._check_context(request))

    async def _check_context(self, request: Request[Any, Any, Any]) -> dict[str, Any]:
        session = current_session(request)
        context = await _context(request, "check")
        result = await service.check_draft(
            context["draft"], session.email, session.is_site_admin, clock.today()
        )
        draft_slug = service.suggested_slug(context["draft"])
        return {**context, "problems": result.problems, "flags": result.flags, "draft_slug": draft_slug}

    @post("/create", name="start_create")
    async def create(self, request: Request[Any, Any, Any]) -> Response[Any]:
        session = current_session(request)
        # Caught here, not by coop.web: each broken rule is listed with a link to the question that fixes
        # it, which needs the founder's draft read again.
        try:
            await service.create(
                session.person_id, session.email, session.is_site_admin, actor_of(request), clock.today()
            )
        except RuleViolationError as exc:
            context = await self._check_context(request)
            problems = [(v, service.page_for(v)) for v in exc.violations]
            context = {**context, "problems": problems, "refused": True}
            return render(request, "start/check.html", context, status_code=422)
        return redirect(request, "/start/created")

    @get("/created", name="start_created")
    async def created(self, request: Request[Any, Any, Any]) -> Template:
        draft = await service.load_draft(current_session(request).person_id)
        if draft.founded is None:
            raise NotFoundException()
        return render(request, "start/created.html", {"founded": draft.founded})

    @get("/founders", name="start_founders")
    async def founders(self, request: Request[Any, Any, Any]) -> Response[Any]:
        context = await _context(request, "founders")
        if context["model"] is None:
            return redirect(request, "/start/model")
        return render(request, "start/founders.html", context)

    @get("/founders/add", name="start_founder_add_form")
    async def add_form(self, request: Request[Any, Any, Any]) -> Response[Any]:
        context = await _context(request, "founders")
        if context["model"] is None:
            return redirect(request, "/start/model")
        session = current_session(request)
        if not context["draft"].founders:  # the first founder is usually the person starting it
            context["form"] = {"name": session.display_name, "email": session.email}
        return render(request, "start/founder.html", {**context, "number": None, "back": "/start/founders"})

    @post("/founders/add", name="start_founder_add")
    async def add(self, request: Request[Any, Any, Any]) -> Response[Any]:
        return await self._save_founder(request, None)

    @post("/founders/preview", name="start_founder_preview")
    async def preview(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """The board's composition with the founder on the form, as they fill it in (htmx); without
        JavaScript the founders page shows it once they are added."""
        if not is_htmx(request):
            return redirect(request, "/start/founders")
        draft = await service.preview_founder(current_session(request).person_id, await request.form())
        status = service.board_status(draft, clock.today())
        return render(request, "start/_board_status_lines.html", {"draft": draft, "board_status": status})

    @get("/founders/{founder_number:int}", name="start_founder_form")
    async def founder_form(self, request: Request[Any, Any, Any], founder_number: FromPath[int]) -> Template:
        context = await _context(request, "founders", back="/start/founders")
        founder = _founder(context["draft"], founder_number)
        form = {**founder, "director": "yes" if founder.get("director") else "no"}
        return render(request, "start/founder.html", {**context, "number": founder_number, "form": form})

    @post("/founders/{founder_number:int}", name="start_founder")
    async def founder(self, request: Request[Any, Any, Any], founder_number: FromPath[int]) -> Response[Any]:
        return await self._save_founder(request, founder_number)

    async def _save_founder(
        self, request: Request[Any, Any, Any], founder_number: int | None
    ) -> Response[Any]:
        form = await request.form()
        saved, errors = await service.save_founder(current_session(request).person_id, founder_number, form)
        if errors:
            context = await _context(
                request, "founders", back="/start/founders", change=form.get("change") == "1"
            )
            return form_errors_page(
                request, "start/founder.html", errors, {**context, "number": founder_number, "form": form}
            )
        if form.get("director") == "yes" and form.get("then") != "later":
            then = "?change=1" if form.get("change") == "1" else ""
            return redirect(request, f"/start/founders/{saved}/director{then}")
        return redirect(request, _destination(form, "/start/founders"))

    @get("/founders/{founder_number:int}/director", name="start_director_form")
    async def director_form(self, request: Request[Any, Any, Any], founder_number: FromPath[int]) -> Template:
        context = await _context(request, "founders", back=f"/start/founders/{founder_number}")
        founder = _founder(context["draft"], founder_number)
        form = {**founder, **_date_parts(str(founder.get("date_of_birth", "")))}
        return render(
            request,
            "start/director.html",
            {**context, "number": founder_number, "founder": founder, "form": form},
        )

    @post("/founders/{founder_number:int}/director", name="start_director")
    async def director(self, request: Request[Any, Any, Any], founder_number: FromPath[int]) -> Response[Any]:
        form = await request.form()
        person_id = current_session(request).person_id
        errors = await service.save_director(person_id, founder_number, form, clock.today())
        if errors:
            context = await _context(request, "founders", back=f"/start/founders/{founder_number}")
            founder = _founder(context["draft"], founder_number)
            return form_errors_page(
                request,
                "start/director.html",
                errors,
                {**context, "number": founder_number, "founder": founder, "form": form},
            )
        return redirect(request, _destination(form, "/start/founders"))

    @post("/founders/{founder_number:int}/remove", name="start_founder_remove")
    async def remove(self, request: Request[Any, Any, Any], founder_number: FromPath[int]) -> Response[Any]:
        if not await service.remove_founder(current_session(request).person_id, founder_number):
            raise NotFoundException()
        return redirect(request, "/start/founders?removed=1")

    @get("/{question:str}", name="start_question_form")
    async def question_form(self, request: Request[Any, Any, Any], question: FromPath[str]) -> Response[Any]:
        context = await _context(request, _question(question))
        if context["model"] is None and question in service.NEEDS_MODEL:
            return redirect(request, "/start/model")
        context["form"] = _question_values(context["draft"], question, current_session(request).email)
        return render(request, f"start/{question}.html", context)

    @post("/{question:str}", name="start_question")
    async def question(self, request: Request[Any, Any, Any], question: FromPath[str]) -> Response[Any]:
        form = await request.form()
        errors = await service.answer_question(current_session(request).person_id, _question(question), form)
        if errors:
            context = await _context(request, question, change=form.get("change") == "1")
            return form_errors_page(request, f"start/{question}.html", errors, {**context, "form": form})
        return redirect(request, _destination(form, f"/start/{service.next_page(question)}"))


def _question(page: str) -> str:
    if page not in service.QUESTIONS:
        raise NotFoundException()
    return page


def _founder(draft: service.Draft, number: int) -> dict[str, Any]:
    if not 1 <= number <= len(draft.founders):
        raise NotFoundException()
    return draft.founders[number - 1]


def _date_parts(iso: str) -> dict[str, str]:
    parts = iso.split("-")
    if len(parts) != 3:
        return {}
    year, month, day = parts
    return {
        "date_of_birth_day": day.lstrip("0"),
        "date_of_birth_month": month.lstrip("0"),
        "date_of_birth_year": year,
    }


def _question_values(draft: service.Draft, page: str, email: str) -> dict[str, Any]:
    """What a question page shows in its fields: the saved answer (or a suggestion)."""
    answers = draft.answers
    if page == "web-address":
        return {"slug": service.suggested_slug(draft)}
    if page == "year-end":
        day, _, month = str(answers.get("year_end", "")).partition(" ")
        months = [m.lower() for m in MONTH_NAMES]
        number = str(months.index(month.lower()) + 1) if month.lower() in months else ""
        return {"year_end_day": day, "year_end_month": number}
    if page == "secretary":
        # Suggest the person filling this in, if they are a founder.
        chosen = [i for i, f in enumerate(draft.founders, 1) if f.get("secretary")] or [
            i for i, f in enumerate(draft.founders, 1) if f.get("email") == email.lower()
        ]
        return {"secretary": str(chosen[0]) if chosen else ""}
    return dict(answers)
