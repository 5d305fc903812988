"""The state one document's recognisers share while they emit records.

A recogniser reads a table and calls ``add_amount`` / ``subject`` / ``unit`` / ``project`` /
``indicator`` here; this class builds the keys (``ontology.ids``), de-duplicates shared
entities and keeps provenance, so recognisers stay about the table layout only.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

from loaders.blocks import ReadDocument, Table
from loaders.normalise import parent_code, subject_level, to_yuan
from ontology import ids
from ontology.records import (
    Amount,
    Department,
    DocumentRecords,
    EconomicSubject,
    FunctionalSubject,
    Indicator,
    Problem,
    Project,
    Unit,
)


@dataclass
class Context:
    """Everything known about the document being loaded, plus the records emitted so far."""

    read: ReadDocument
    records: DocumentRecords
    department: Department
    region_code: str | None
    fiscal_year: int
    kind: str  # budget | final_account
    _functional: dict[str, FunctionalSubject] = field(default_factory=dict)
    _economic: dict[str, EconomicSubject] = field(default_factory=dict)
    _units: dict[str, Unit] = field(default_factory=dict)
    _projects: dict[str, Project] = field(default_factory=dict)
    _amount_ids: set[str] = field(default_factory=set)
    _indicator_count: int = 0

    @property
    def document_id(self) -> str:
        return self.records.document.id

    @property
    def default_measure(self) -> str:
        """Tables of a 决算 report actuals, of a 预算 the budget."""
        return "actual" if self.kind == "final_account" else "budget"

    # --- shared entities -------------------------------------------------------------

    def functional_subject(self, code: str, name: str | None = None) -> str:
        """Register a functional subject (and keep the first printed name); returns its code."""
        if code not in self._functional or (name and not self._functional[code].name):
            s = FunctionalSubject(code=code, name=name or "", level=subject_level(code),
                                  broader_ref=parent_code(code))
            self._functional[code] = s
        return code

    def economic_subject(self, code: str, name: str | None = None) -> str:
        """Register an economic subject; 3xx codes are the department scheme, 5xx government."""
        if code not in self._economic or (name and not self._economic[code].name):
            scheme = "government" if code.startswith("5") else "department"
            s = EconomicSubject(code=code, name=name or "", level=subject_level(code),
                                scheme=scheme, broader_ref=parent_code(code))
            self._economic[code] = s
        return code

    def unit(self, name: str, code: str | None = None) -> str:
        """Register a budget unit of this department; returns its id.

        A row naming the department itself (its code or its name) is not a unit: the
        department id is returned instead, so amounts hang on the right node.
        """
        if (code and code == self.department.code) or name == self.department.name and not code:
            return self.department.id
        key = ids.unit_key(self.region_code, code, self.department.id, name)
        if key not in self._units:
            self._units[key] = Unit(id=key, name=name, code=code,
                                    department_ref=self.department.id)
        return key

    def find_unit(self, name: str) -> str | None:
        """The id of an already registered unit of this name, a coded one first; else None.

        Unit lists (预算单位构成, 机构设置) often print names only while the amount tables
        print codes, so a name is how the two meet.  Names compare as plain names (no
        spaces, full-width forms folded).
        """
        wanted = ids.plain_name(name)
        hits = [u for u in self._units.values() if ids.plain_name(u.name) == wanted]
        hits.sort(key=lambda u: u.code is None)
        return hits[0].id if hits else None

    def project(self, name: str, code: str | None = None, *, goal: str | None = None,
                run_by: str | None = None, subject: str | None = None) -> str:
        """Register a project (merging what several tables say about it); returns its id."""
        key = ids.project_key(code, self.department.id, self.fiscal_year, name)
        old = self._projects.get(key)
        if old is None:
            self._projects[key] = Project(
                id=key, name=ids.squash(name) if code else name.strip(), code=code,
                fiscal_year=self.fiscal_year, goal=goal,
                run_by_ref=run_by or self.department.id, subject_ref=subject,
                document_ref=self.document_id)
        else:
            self._projects[key] = Project(
                id=key, name=old.name, code=old.code or code, fiscal_year=old.fiscal_year,
                goal=old.goal or goal,
                run_by_ref=run_by if (run_by and old.run_by_ref == self.department.id)
                else old.run_by_ref,
                subject_ref=old.subject_ref or subject, document_ref=old.document_ref)
        return key

    def find_project(self, name: str) -> str | None:
        """The id of an already registered project with this (plain) name, if any."""
        wanted = ids.plain_name(name)
        for p in self._projects.values():
            if ids.plain_name(p.name) == wanted:
                return p.id
        return None

    # --- observations ----------------------------------------------------------------

    def add_amount(self, table: Table | None, row: int, col: int | str, value: Decimal,
                   unit: str, *, category: str, fund: str = "all",
                   measure: str | None = None, table_kind: str, of: str | None = None,
                   functional: str | None = None, economic: str | None = None,
                   project: str | None = None, item: str | None = None,
                   printed: str | None = None, execution_rate: Decimal | None = None,
                   table_title: str | None = None, fiscal_year: int | None = None) -> Amount:
        """Emit one money observation with its provenance; ``row``/``col`` locate the cell.

        ``fiscal_year`` defaults to the document's; a figure dated otherwise (a budget's
        上年末 asset values) says so.
        """
        title = table_title or (table.title if table else "narrative")
        line = table.line if table else None
        amount_id = ids.cell_key(self.document_id, line or 0, row, col)
        if amount_id in self._amount_ids:
            raise ValueError(f"two amounts at the same position {amount_id}")
        self._amount_ids.add(amount_id)
        a = Amount(
            id=amount_id, yuan=to_yuan(value, unit), measure=measure or self.default_measure,
            category=category, fund=fund, fiscal_year=fiscal_year or self.fiscal_year, table=title,
            table_kind=table_kind, item=item,
            printed=printed if printed is not None else str(value),
            printed_unit=unit, execution_rate=execution_rate,
            page=table.page if table else None, row=row,
            of_ref=of or self.department.id, functional_ref=functional, economic_ref=economic,
            project_ref=project, document_ref=self.document_id)
        self.records.amounts.append(a)
        return a

    def add_indicator(self, owner: str, name: str, **fields: object) -> Indicator:
        """Emit one indicator of a project or of the department (owner = its id)."""
        self._indicator_count += 1
        ind = Indicator(id=ids.cell_key(self.document_id, "i", self._indicator_count),
                        name=name, owner_ref=owner, document_ref=self.document_id,
                        fiscal_year=self.fiscal_year, **fields)  # type: ignore[arg-type]
        self.records.indicators.append(ind)
        return ind

    def problem(self, message: str, table: Table | None = None, row: int | None = None,
                severity: str = "warning") -> None:
        self.records.problems.append(Problem(
            source=self.read.source, message=message,
            table=table.title if table else None, page=table.page if table else None,
            row=row, severity=severity))

    def emitted(self) -> int:
        """How many records the document has yielded so far (to tell an empty table)."""
        return (len(self.records.amounts) + len(self.records.indicators)
                + len(self._units) + len(self._projects))

    def finish(self) -> DocumentRecords:
        """Move the de-duplicated shared entities into the records and return them."""
        r = self.records
        self._merge_named_units()
        r.functional_subjects = sorted(self._functional.values(), key=lambda s: s.code)
        r.economic_subjects = sorted(self._economic.values(), key=lambda s: s.code)
        r.units = list(self._units.values())
        r.projects = list(self._projects.values())
        # Ancestors printed nowhere still need a node for BROADER to point at.
        pairs = ((self._functional, FunctionalSubject), (self._economic, EconomicSubject))
        for table, kind in pairs:
            for code in list(table):
                p = parent_code(code)
                while p and p not in table:
                    if kind is FunctionalSubject:
                        self.functional_subject(p)
                    else:
                        self.economic_subject(p)
                    p = parent_code(p)
        r.functional_subjects = sorted(self._functional.values(), key=lambda s: s.code)
        r.economic_subjects = sorted(self._economic.values(), key=lambda s: s.code)
        return r

    def _merge_named_units(self) -> None:
        """Fold each name-only unit into the one coded unit of the same name.

        A unit key is region + code when a code is printed, else department + name
        (``ids.unit_key``), so a unit met first in a list that prints no codes and then in
        a table that does would be two nodes.  Tables are read in document order, so
        either may come first; here, once all are read, the coded unit stays and whatever
        pointed at the name-only one (amounts, projects, indicators) is re-pointed.  A
        name shared by several coded units is ambiguous and is left alone.
        """
        coded: dict[str, list[str]] = {}
        for u in self._units.values():
            if u.code:
                coded.setdefault(ids.plain_name(u.name), []).append(u.id)
        moved: dict[str, str] = {}
        for key, u in self._units.items():
            targets = coded.get(ids.plain_name(u.name), [])
            if not u.code and len(targets) == 1:
                moved[key] = targets[0]
        if not moved:
            return
        for key in moved:
            del self._units[key]
        r = self.records
        r.amounts = [replace(a, of_ref=moved[a.of_ref]) if a.of_ref in moved else a
                     for a in r.amounts]
        r.indicators = [replace(i, owner_ref=moved[i.owner_ref]) if i.owner_ref in moved
                        else i for i in r.indicators]
        for key, p in list(self._projects.items()):
            if p.run_by_ref in moved:
                self._projects[key] = replace(p, run_by_ref=moved[p.run_by_ref])
