"""`coop documents ORG_SLUG --out DIR`: write every document of an organisation as a tagged PDF, for
operators who host many organisations (long registers as several numbered parts)."""

from __future__ import annotations

from pathlib import Path

import click


@click.command(
    help="Write an organisation's documents (founding documents, registers) as PDFs into a folder."
)
@click.argument("org_slug")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="The folder to write to.")
def documents(org_slug: str, out: str) -> None:
    from coop.cli import run_with_database

    written = run_with_database(lambda: write_documents(org_slug, Path(out)))
    if written is None:
        raise click.ClickException(f"There is no organisation {org_slug!r}.")
    for path in written:
        click.echo(f"Wrote {path}")


async def write_documents(org_slug: str, folder: Path) -> list[Path] | None:
    """Every document of the organisation as PDFs in `folder`; None if there is no such organisation."""
    from coop.app import template_environment
    from coop.documents import service
    from coop.documents.pdf import render_pdf
    from coop.documents.rendering import document_markup
    from coop.organisations.service import OrgContext
    from coop.organisations.tables import Organisation

    row = await Organisation.select().where(Organisation.slug == org_slug).first()
    if row is None:
        return None
    # The operator acts as the secretary: the registers include the private particulars.
    org = OrgContext(
        row["id"], row["slug"], row["name"], row["legal_form"], 0, "", "", frozenset({"secretary"})
    )
    env = template_environment()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    listing = await service.document_list(org.organisation_id)
    for kind, _title in listing["kinds"]:
        after, part = "", 1
        while True:
            document = await service.build_document(org, kind.key, after)
            if document is None:
                break
            name = f"{org_slug}-{kind.key}" + (f"-part-{part}" if after or document.next_part else "")
            path = folder / f"{name}.pdf"
            path.write_bytes(await render_pdf(document_markup(env, org, document.title, [document])))
            written.append(path)
            if document.next_part is None:
                break
            after, part = document.next_part, part + 1
    return written
