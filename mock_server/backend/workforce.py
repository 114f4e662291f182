"""The workforce (employees and their invitations) and the issuer authorizations.

Credly's shapes for these are not documented where the mock's authors could read them; what the mock
does is listed in the README's "Lenient choices".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NoReturn

from .. import query
from ..exceptions import DuplicateEmployee, EmployeeNotFound, IssuerNotFound
from ..filters import EMPLOYEE_FILTERS, EMPLOYEE_SORTS
from ..models import Badge, Employee, Organization, new_id
from ..query import Clause
from .base import BackendBase, Caller


class WorkforceMixin(BackendBase):
    def list_employees(
        self,
        caller: Caller,
        organization_id: str,
        clauses: Sequence[Clause] = (),
        sort: Sequence[tuple[str, bool]] = (),
    ) -> list[Employee]:
        with self._lock:
            self._owned(caller, organization_id)
            employees = [e for e in self._employees.values() if e.organization_id == organization_id]
        return query.apply_sort(
            query.apply_filter(employees, clauses, EMPLOYEE_FILTERS), sort, EMPLOYEE_SORTS
        )

    def create_employee(self, caller: Caller, organization_id: str, fields: dict[str, Any]) -> Employee:
        """A new employee; an email the workforce has already (any case) is DuplicateEmployee."""
        with self._lock:
            organization = self._owned(caller, organization_id)
            key = (organization.id, fields["email"].casefold())
            if key in self._employee_emails:
                raise DuplicateEmployee(self._employee_emails[key])
            now = self.clock.now()
            employee = Employee(
                id=new_id(), organization_id=organization.id, created_at=now, updated_at=now, **fields
            )
            self._employees[employee.id] = employee
            self._employee_emails[key] = employee.id
            organization.has_employees = True
            return employee

    def get_employee(self, caller: Caller, organization_id: str, employee_id: str) -> Employee:
        with self._lock:
            return self._employee_of(self._owned(caller, organization_id), employee_id)

    def update_employee(
        self, caller: Caller, organization_id: str, employee_id: str, changes: dict[str, Any]
    ) -> Employee:
        with self._lock:
            organization = self._owned(caller, organization_id)
            employee = self._employee_of(organization, employee_id)
            if "email" in changes:
                key = (organization.id, changes["email"].casefold())
                other = self._employee_emails.get(key)
                if other is not None and other != employee.id:
                    raise DuplicateEmployee(other)
                del self._employee_emails[(organization.id, employee.email.casefold())]
                self._employee_emails[key] = employee.id
            for name, value in changes.items():
                setattr(employee, name, value)
            employee.updated_at = self.clock.now()
            return employee

    def delete_employee(self, caller: Caller, organization_id: str, employee_id: str) -> Employee:
        with self._lock:
            organization = self._owned(caller, organization_id)
            employee = self._employee_of(organization, employee_id)
            del self._employees[employee.id]
            del self._employee_emails[(organization.id, employee.email.casefold())]
            organization.has_employees = any(
                e.organization_id == organization.id for e in self._employees.values()
            )
            return employee

    def employee_badges(
        self, caller: Caller, organization_id: str, employee_id: str
    ) -> tuple[Employee, list[Badge]]:
        """The employee and the organization's badges issued to the employee's email."""
        with self._lock:
            organization = self._owned(caller, organization_id)
            employee = self._employee_of(organization, employee_id)
            key = employee.email.casefold()
            badges = [
                b
                for b in self._badges.values()
                if b.template.organization is organization and b.recipient_email.casefold() == key
            ]
            return employee, badges

    def invite_employees(
        self, caller: Caller, organization_id: str, employee_ids: Sequence[str] | None
    ) -> list[Employee]:
        """Mark the employees (all not yet invited, when None) as invited; unknown ids are 404."""
        with self._lock:
            organization = self._owned(caller, organization_id)
            if employee_ids is None:
                chosen = [
                    e
                    for e in self._employees.values()
                    if e.organization_id == organization.id and e.invited_at is None
                ]
            else:
                chosen = [self._employee_of(organization, employee_id) for employee_id in employee_ids]
            now = self.clock.now()
            for employee in chosen:
                employee.invited_at = now
            return chosen

    def _employee_of(self, organization: Organization, employee_id: str) -> Employee:
        employee = self._employees.get(employee_id)
        if employee is None or employee.organization_id != organization.id:
            raise EmployeeNotFound(employee_id)
        return employee

    # -- issuer authorizations ---------------------------------------------------------------------

    def list_issuers(self, caller: Caller, organization_id: str) -> list[Organization]:
        """Organizations authorized to issue this organization's templates: none in the mock."""
        with self._lock:
            self._owned(caller, organization_id)
        return []

    def deauthorize_issuer(self, caller: Caller, organization_id: str, issuer_id: str) -> NoReturn:
        """IssuerNotFound: there is never an issuer to deauthorize."""
        with self._lock:
            self._owned(caller, organization_id)
        raise IssuerNotFound(issuer_id)
