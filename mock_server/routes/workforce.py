"""`/v1/organizations/<org>/employees` (the workforce) and the issuer authorizations."""

from __future__ import annotations

from typing import NoReturn

from flask import Response, g, jsonify

from .. import parsing
from ..exceptions import MissingField
from .helpers import backend, base_url, list_query, one, page
from .v1 import ORG, v1

EMPLOYEES = f"{ORG}/employees"


def _fields() -> dict:
    return parsing.known_fields("employee_request", parsing.read_body("employee"))


@v1.get(EMPLOYEES)
def list_employees(organization_id: str) -> Response:
    return page(backend().list_employees(g.caller, organization_id, **list_query()))


@v1.post(EMPLOYEES)
def create_employee(organization_id: str) -> tuple[Response, int]:
    fields = _fields()
    if "email" not in fields:
        raise MissingField("email")
    return one(backend().create_employee(g.caller, organization_id, fields), 201)


@v1.get(f"{EMPLOYEES}/<employee_id>")
def get_employee(organization_id: str, employee_id: str) -> tuple[Response, int]:
    return one(backend().get_employee(g.caller, organization_id, employee_id))


@v1.put(f"{EMPLOYEES}/<employee_id>")
def update_employee(organization_id: str, employee_id: str) -> tuple[Response, int]:
    backend().get_employee(g.caller, organization_id, employee_id)
    return one(backend().update_employee(g.caller, organization_id, employee_id, _fields()))


@v1.delete(f"{EMPLOYEES}/<employee_id>")
def delete_employee(organization_id: str, employee_id: str) -> tuple[Response, int]:
    return one(backend().delete_employee(g.caller, organization_id, employee_id))


@v1.get(f"{EMPLOYEES}/<employee_id>/data")
def get_employee_data(organization_id: str, employee_id: str) -> Response:
    employee, badges = backend().employee_badges(g.caller, organization_id, employee_id)
    base = base_url()
    return jsonify(
        {"data": {**employee.to_dict(base), "badges": [b.minimal(base) for b in badges]}, "metadata": {}}
    )


@v1.post(f"{EMPLOYEES}/send_invitations")
@v1.post(f"{EMPLOYEES}/invitations")
def invite_employees(organization_id: str) -> Response:
    ids = parsing.validated("invite_employees", parsing.read_body()).get("employee_ids")
    invited = backend().invite_employees(g.caller, organization_id, ids)
    return jsonify({"data": {"invited": [e.id for e in invited]}, "metadata": {}})


@v1.get(f"{ORG}/issuers")
def list_issuers(organization_id: str) -> Response:
    return page(backend().list_issuers(g.caller, organization_id))


@v1.get(f"{ORG}/grantors")
def list_grantors(organization_id: str) -> Response:
    return page(backend().list_issuers(g.caller, organization_id))


@v1.get(f"{ORG}/issuer_authorizations")
def list_issuer_authorizations(organization_id: str) -> Response:
    return page(backend().list_issuers(g.caller, organization_id))


@v1.delete(f"{ORG}/issuers/<issuer_id>")
def deauthorize_issuer(organization_id: str, issuer_id: str) -> NoReturn:
    """Always 404: the mock's organizations authorize no other issuer."""
    backend().deauthorize_issuer(g.caller, organization_id, issuer_id)
