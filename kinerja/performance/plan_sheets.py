"""The plan in Excel, both ways: a Renstra's indicators with their manual IKU and the
target of each year and of the end of the period.

`plan_workbook()` writes one row per indicator (sheet "Indikator"), with dropdowns for the
sasaran codes, polarity, the formula when lower is better, how quarters add up, the
kind of target, the scale and the responsible position; a sheet "Daftar" holds those
lists and a sheet "Petunjuk" says what each column takes. `import_plan()` reads the same
layout back, all or nothing: each row goes through the plan services
(kinerja.performance.plans), so a sheet obeys the rules of the pages and leaves the
same audit events; every problem is named on its own line (sheet, row, column, the
value, what was expected) and then nothing is kept.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from kinerja.core.errors import DomainError, shorten
from kinerja.org.models import Position

from . import permissions, plans
from .models import GradeScale, Indicator, IndicatorTarget, Objective, Renstra, cascade_order
from .spreadsheets import _cell_text, _open
from .workbooks import print_setup, saved

__all__ = ["PLAN_SHEET", "import_plan", "plan_columns", "plan_workbook"]

PLAN_SHEET = "Indikator"
HEADER_ROW = 3  # row 1: title; row 2: the Renstra; the table from row 3
MAX_ROWS = 5000


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: int
    choices: str = ""  # the list of the "Daftar" sheet that feeds its dropdown


def plan_columns(renstra: Renstra) -> list[Column]:
    columns = [
        Column("objective", _("Sasaran code"), 12, "objective"),
        Column("code", _("Indicator code"), 12),
        Column("name", _("Indicator"), 40),
        Column("is_key", _("IKU (yes/no)"), 8, "yesno"),
        Column("measure", _("Satuan"), 10),
        Column("definition", _("Definition"), 30),
        Column("rationale", _("Why it was chosen"), 30),
        Column("formula_text", _("Formula"), 30),
        Column("data_source", _("Data source"), 20),
        Column("responsible", _("Responsible position (code)"), 22, "responsible"),
        Column("polarity", _("Polarity"), 10, "polarity"),
        Column("lower_formula", _("Formula when lower is better"), 12, "lower_formula"),
        Column("quarters", _("How the quarters add up"), 12, "quarters"),
        Column("target_kind", _("Kind of target"), 10, "target_kind"),
        Column("scale", _("Grade scale"), 16, "scale"),
        Column("baseline", _("Baseline"), 10),
        Column("baseline_year", _("Baseline year"), 10),
    ]
    columns += [Column(f"y{y}", _("Target %(year)s") % {"year": y}, 10) for y in renstra.years]
    columns.append(Column("end", _("End target"), 10))
    return columns


def _lists() -> dict[str, list[str]]:
    return {
        "yesno": ["ya", "tidak"],
        "polarity": [v for v, _label in plans.indicator_choices("polarity")],
        "lower_formula": [v for v, _label in plans.indicator_choices("lower_formula")],
        "quarters": [v for v, _label in plans.indicator_choices("quarters")],
        "target_kind": list(Indicator.TargetKind.values),
        "scale": list(GradeScale.objects.order_by("name").values_list("name", flat=True)),
        "responsible": list(
            Position.objects.order_by("unit__order", "code").values_list("code", flat=True)
        ),
    }


def plan_workbook(*, renstra: Renstra, units: set[int] | None = None) -> bytes:
    """The Renstra's indicators (those of `units`, or all) as the import reads them."""
    columns = plan_columns(renstra)
    indicators = [
        i
        for i in Indicator.objects.filter(objective__renstra=renstra)
        .select_related("objective", "responsible", "scale")
        .order_by(
            cascade_order("objective__"), "objective__order", "objective__code", "order", "code"
        )
        if permissions.may_read_indicator(i, units)
    ]
    targets: dict[int, dict] = {}
    scales = {i.pk: (i.scale.as_scale() if i.scale else None) for i in indicators}
    for t in IndicatorTarget.objects.filter(indicator__in=indicators):
        targets.setdefault(t.indicator_id, {})[t.year] = str(
            t.as_target(scales.get(t.indicator_id))
        )
    book = Workbook()
    sheet = book.active
    sheet.title = PLAN_SHEET
    sheet["A1"] = _("Indicators of the Renstra with their manual IKU and targets")
    sheet["A1"].font = Font(bold=True, size=12)
    sheet["A2"] = f"{renstra.title} ({renstra.first_year}-{renstra.last_year}, v{renstra.version})"
    fill = PatternFill("solid", fgColor="DDE6F0")
    for n, column in enumerate(columns, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=n, value=column.title)
        cell.font, cell.fill = Font(bold=True), fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(n)].width = column.width
    for row, i in enumerate(indicators, start=HEADER_ROW + 1):
        values = {
            "objective": i.objective.code,
            "code": i.code,
            "name": i.name,
            "is_key": "ya" if i.is_key else "tidak",
            "measure": i.measure,
            "definition": i.definition,
            "rationale": i.rationale,
            "formula_text": i.formula_text,
            "data_source": i.data_source,
            "responsible": i.responsible.code if i.responsible else "",
            "polarity": i.polarity,
            "lower_formula": i.lower_formula,
            "quarters": i.quarters,
            "target_kind": i.target_kind,
            "scale": i.scale.name if i.scale else "",
            "baseline": i.baseline,
            "baseline_year": i.baseline_year,
            "end": targets.get(i.pk, {}).get(None, ""),
        }
        for year in renstra.years:
            values[f"y{year}"] = targets.get(i.pk, {}).get(year, "")
        for n, column in enumerate(columns, start=1):
            cell = sheet.cell(row=row, column=n, value=values[column.key])
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    # The lists behind the dropdowns, on their own sheet.
    lists = _lists()
    lists["objective"] = list(
        Objective.objects.filter(renstra=renstra)
        .order_by(cascade_order(), "order", "code")
        .values_list("code", flat=True)
    )
    daftar = book.create_sheet("Daftar")
    last = HEADER_ROW + max(len(indicators), 1) + 500
    for n, (name, options) in enumerate(lists.items(), start=1):
        letter = get_column_letter(n)
        daftar.cell(row=1, column=n, value=name).font = Font(bold=True)
        for r, option in enumerate(options, start=2):
            daftar.cell(row=r, column=n, value=option)
        used = [c for c in columns if c.choices == name]
        if not used or not options:
            continue
        target = get_column_letter(columns.index(used[0]) + 1)
        choice = DataValidation(
            type="list",
            formula1=f"Daftar!${letter}$2:${letter}${len(options) + 1}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=_("Not on the list"),
            error=_("Choose a value of the list."),
        )
        sheet.add_data_validation(choice)
        choice.add(f"{target}{HEADER_ROW + 1}:{target}{last}")
    guide = book.create_sheet("Petunjuk")
    guide.column_dimensions["A"].width = 30
    guide.column_dimensions["B"].width = 90
    for r, (title, text) in enumerate(_guide(columns), start=1):
        guide.cell(row=r, column=1, value=title).font = Font(bold=True)
        guide.cell(row=r, column=2, value=text).alignment = Alignment(wrap_text=True)
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=4)
    sheet.row_dimensions[HEADER_ROW].height = 45
    print_setup(sheet, f"{HEADER_ROW}:{HEADER_ROW}")
    return saved(book)


def _guide(columns: list[Column]) -> list[tuple[str, str]]:
    meanings = {
        "objective": _("The code of a sasaran of this Renstra (list)."),
        "code": _("Unique within its sasaran; a new code adds an indicator."),
        "is_key": _("ya or tidak."),
        "responsible": _("The code of the position that answers for it (list)."),
        "polarity": _("higher: higher is better; lower: lower is better."),
        "lower_formula": _("When lower is better: inverse = (2T − R) ÷ T, ratio = T ÷ R."),
        "quarters": _("sum, last (the last quarter reported) or average."),
        "target_kind": _("number, range (80-90) or grade (on the scale)."),
        "scale": _("Only for grade targets: the scale's name (list)."),
        "end": _("The target at the end of the Renstra period."),
    }
    rows = [(c.title, meanings.get(c.key, "")) for c in columns]
    rows.append(
        (
            _("Targets"),
            _("A number as 3,5 or 1.250; a range as 80-90; a grade as BB. Empty: no target."),
        )
    )
    rows.append(
        (
            _("Import"),
            _(
                "All rows are read or none: every problem is named with its sheet, row and "
                "column. A Renstra in use changes only by a new version."
            ),
        )
    )
    return rows


# --- reading it back ---------------------------------------------------------------------------

_MANUAL = (
    "code",
    "name",
    "is_key",
    "measure",
    "definition",
    "rationale",
    "formula_text",
    "data_source",
    "responsible",
    "polarity",
    "lower_formula",
    "quarters",
    "target_kind",
    "scale",
    "baseline",
    "baseline_year",
)


def import_plan(*, renstra: Renstra, content: bytes, by) -> dict[str, int]:
    """Read a filled-in plan sheet: each row adds or changes an indicator of the named
    sasaran (by its code) and sets its targets. All or nothing; {"indicators": n,
    "targets": m} read, or a DomainError with one line per problem."""
    if not permissions.may_prepare(renstra, by, timezone.localdate()):
        raise PermissionDenied(plans.only_preparer())
    if renstra.status == Renstra.Status.SUPERSEDED or plans.in_use(renstra):
        raise DomainError(
            _(
                "%(renstra)s is in use (a PK or a realisasi refers to it) or superseded: it "
                "changes only by a new version."
            )
            % {"renstra": renstra}
        )
    columns = plan_columns(renstra)
    letters = {c.key: get_column_letter(n) for n, c in enumerate(columns, start=1)}
    titles = {c.key: c.title for c in columns}
    book = _open(content)
    try:
        sheet = next((s for s in book.worksheets if s.title == PLAN_SHEET), book.worksheets[0])
        title = shorten(sheet.title, 40)
        rows = list(
            sheet.iter_rows(
                min_row=HEADER_ROW,
                max_row=HEADER_ROW + MAX_ROWS + 1,
                max_col=len(columns),
                values_only=True,
            )
        )
    finally:
        book.close()
    header = [_cell_text(v) for v in (rows[0] if rows else ())]
    if header[: len(columns)] != [c.title for c in columns]:
        raise DomainError(
            _(
                "Sheet '%(sheet)s', row %(row)d: the columns are not those of the template "
                "(expected: %(expected)s). Download the template again."
            )
            % {
                "sheet": title,
                "row": HEADER_ROW,
                "expected": ", ".join(c.title for c in columns),
            }
        )
    if len(rows) > MAX_ROWS + 1:
        raise DomainError(
            _("Sheet '%(sheet)s': more than %(n)d rows; split the file.")
            % {"sheet": title, "n": MAX_ROWS}
        )
    objectives = {o.code: o for o in Objective.objects.filter(renstra=renstra)}
    choices = _lists()
    problems: list[str] = []
    counts = {"indicators": 0, "targets": 0}

    def problem(number: int, key: str | None, value, message: str) -> None:
        where = _("Sheet '%(sheet)s', row %(row)d") % {"sheet": title, "row": number}
        if key in letters:
            where += _(", column %(letter)s (%(title)s)") % {
                "letter": letters[key],
                "title": titles[key],
            }
        if value not in (None, ""):
            where += f' "{shorten(_cell_text(value), 30)}"'
        problems.append(f"{where}: {message}")

    try:
        with transaction.atomic():
            seen: set[tuple[str, str]] = set()
            for number, raw in enumerate(rows[1:], start=HEADER_ROW + 1):
                cells = {c.key: (raw[n] if n < len(raw) else None) for n, c in enumerate(columns)}
                if all(_cell_text(v) == "" for v in cells.values()):
                    continue
                code, objective_code = _cell_text(cells["code"]), _cell_text(cells["objective"])
                objective = objectives.get(objective_code)
                if objective is None:
                    problem(
                        number,
                        "objective",
                        objective_code,
                        _("expected the code of a sasaran of this Renstra."),
                    )
                    continue
                if (objective_code, code) in seen:
                    problem(number, "code", code, _("the indicator is listed twice."))
                    continue
                seen.add((objective_code, code))
                values = {k: cells[k] for k in _MANUAL}
                for key in ("name", "measure", "definition", "rationale", "formula_text"):
                    values[key] = _cell_text(values[key])
                values["code"] = code
                flag = _cell_text(values["is_key"]).lower()
                if flag not in ("ya", "tidak", "yes", "no", ""):
                    problem(number, "is_key", flag, _("expected ya or tidak."))
                    continue
                values["is_key"] = flag in ("ya", "yes")
                for key in ("polarity", "lower_formula", "quarters", "target_kind"):
                    values[key] = (
                        _cell_text(values[key]).lower()
                        or {
                            "polarity": "higher",
                            "lower_formula": "inverse",
                            "quarters": "sum",
                            "target_kind": "number",
                        }[key]
                    )
                wrong = next(
                    (
                        k
                        for k in ("polarity", "lower_formula", "quarters", "target_kind")
                        if values[k] not in choices[k]
                    ),
                    None,
                )
                if wrong is not None:
                    problem(
                        number,
                        wrong,
                        values[wrong],
                        _("expected one of %(choices)s.") % {"choices": ", ".join(choices[wrong])},
                    )
                    continue
                existing = Indicator.objects.filter(objective=objective, code=code).first()
                try:
                    with transaction.atomic():
                        indicator = plans.save_indicator(
                            objective=objective, indicator=existing, values=values, by=by
                        )
                except DomainError as error:
                    problem(number, error.field, cells.get(error.field or ""), error.message)
                    continue
                counts["indicators"] += 1
                for year in [*renstra.years, None]:
                    key = f"y{year}" if year is not None else "end"
                    typed = _cell_text(cells[key])
                    try:
                        with transaction.atomic():
                            if typed:
                                plans.set_target(
                                    indicator=indicator, year=year, target=typed, by=by
                                )
                                counts["targets"] += 1
                            elif existing is not None:
                                plans.delete_target(indicator=indicator, year=year, by=by)
                    except DomainError as error:
                        problem(number, key, typed, error.message)
            if problems:
                raise _Refused
    except _Refused:
        raise DomainError("\n".join(problems[:200])) from None
    if not counts["indicators"]:
        raise DomainError(_("The sheet has no indicator filled in."))
    return counts


class _Refused(Exception):
    """Rolls back a sheet with problems."""
