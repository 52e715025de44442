"""Reading YAML files (scenarios/io_yaml.py): line of every key, keys given twice, syntax errors
in Dutch with the line to look at."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from scenarios.io_yaml import FileProblems, place_with_line, read_yaml_file, read_yaml_text
from scenarios.policy import load_policy
from sim.errors import InputError

# English words of PyYAML's messages that must not reach a user
ENGLISH = ("expected", "found", "while", "mapping", "scanning", "parsing", "token", "stream")


def _syntax_problem(text: str) -> str:
    problems = FileProblems("test")
    assert read_yaml_text(text, "x.yaml", problems) is None
    (problem,) = problems.items
    return str(problem)


@pytest.mark.parametrize(
    ("text", "line", "dutch"),
    [
        # the brace opens on line 2 and is never closed: the line to fix is 2
        ("a: 1\nb: {x: 1\nc: 2\n", 2, "de accolade '{' wordt niet gesloten"),
        ("a: [1, 2\nb: 3\n", 1, "de rechte haak '[' wordt niet gesloten"),
        ("a: 1\nb: 'tekst\nc: 2\n", 2, "het aanhalingsteken wordt niet gesloten"),
        ("a: b: c\n", 1, "hier mag geen dubbelpunt ':' staan"),
        ("a:\n\tb: 1\n", 2, "een tab-teken"),
        # 'c' is indented less than 'b' but more than 'a': line 3 breaks the block of line 1
        ("a:\n  b: 1\n c: 2\n", 3, "de inspringing klopt niet"),
        ("a: 1\nb\nc: 2\n", 2, "na de sleutel ontbreekt een dubbelpunt"),
        ("a: 1\nb: @x\n", 2, "een waarde mag niet beginnen met '@'"),
        ("a: *x\n", 1, "verwijzing '*x' naar een anker '&x' dat niet bestaat"),
        ("a: 1\n---\nb: 2\n", 2, "meer dan één YAML-document"),
        ("a: !!python/object:os.system x\n", 1, "is niet toegelaten"),
    ],
)
def test_syntax_errors_are_dutch_with_the_line(text: str, line: int, dutch: str) -> None:
    problem = _syntax_problem(text)
    assert problem.startswith(f"regel {line}: geen geldige YAML in x.yaml: ")
    assert dutch in problem
    message = problem.split("x.yaml: ", 1)[1]
    assert not any(word in message for word in ENGLISH), message


def test_a_control_character_is_named_with_its_line() -> None:
    problem = _syntax_problem("a: 1\nb: \x07\n")
    assert problem.startswith("regel 2: geen geldige YAML in x.yaml: het teken #x0007 ")


def test_lines_of_keys_and_list_items_and_doubles() -> None:
    text = "a:\n  b: 1\n  c:\n    - x\n    - {d: 2}\na: 3\n"
    problems = FileProblems("test")
    doc = read_yaml_text(text, "x.yaml", problems)
    assert doc is not None
    assert doc.lines[("a",)] == 6  # the second 'a' is the one the reader keeps
    assert doc.lines[("a", "c", 1, "d")] == 5
    assert doc.doubles == [(("a",), 6, 1)]
    assert [str(p) for p in problems.items] == [
        "a (regel 6): sleutel komt twee keer voor (eerst op regel 1)"
    ]
    # a missing key is placed at its parent's line; at the top level it has none
    assert place_with_line(("a", "c", 0, "e"), doc.lines) == "a.c[0].e (regel 4)"
    assert place_with_line(("z",), doc.lines) == "z"


def test_problems_are_raised_in_line_order() -> None:
    problems = FileProblems("test", {("a",): 1, ("b",): 7, ("c",): 3})
    problems.at(("b",), "tweede")
    problems.add("(bestand)", "het hele bestand")
    problems.at(("c",), "eerste")
    with pytest.raises(InputError) as exc:
        problems.raise_if_any()
    assert [str(p) for p in exc.value.problems] == [
        "(bestand): het hele bestand",
        "c (regel 3): eerste",
        "b (regel 7): tweede",
    ]


def test_a_missing_file_is_a_problem(tmp_path: Path) -> None:
    problems = FileProblems("test")
    assert read_yaml_file(tmp_path / "geen.yaml", problems) is None
    assert "bestand niet gevonden" in str(problems.items[0])


# ---------------------------------------------------------------------- the policy file
SHIPPED_POLICY = Path(__file__).parents[2] / "scenarios" / "data" / "policy_flanders.yaml"


def _line(path: Path, startswith: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, x in enumerate(lines, 1) if x.strip().startswith(startswith))


def test_policy_problems_carry_their_lines(tmp_path: Path) -> None:
    text = (
        SHIPPED_POLICY.read_text(encoding="utf-8")
        .replace("deadline_years: 5", "deadline_years: -5")
        .replace(
            "period: {from_year: 2021, to_year: 2030}", "period: {from_year: 2021, to_yaer: 2030}"
        )
    )
    path = tmp_path / "beleid.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_policy(path)
    assert [str(p) for p in exc.value.problems] == [
        f"renovation_obligation.deadline_years (regel {_line(path, 'deadline_years')}): moet ≥ 0 zijn",
        # the period's keys share the line of `period:` (a flow mapping)
        f"lekp.period.to_year (regel {_line(path, 'period:')}): verplichte sleutel ontbreekt",
        f"lekp.period.to_yaer (regel {_line(path, 'period:')}): onbekende sleutel",
    ]


def test_policy_syntax_error_in_dutch(tmp_path: Path) -> None:
    text = SHIPPED_POLICY.read_text(encoding="utf-8").replace(
        "  deadline_years: 5", "  deadline_years: 5\n deadline_days: 3"
    )
    path = tmp_path / "beleid.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_policy(path)
    (problem,) = [str(p) for p in exc.value.problems]
    assert problem.startswith(f"regel {_line(path, 'deadline_days')}: geen geldige YAML")
    assert "inspringing" in problem


def test_policy_round_trips_through_write_policy(tmp_path: Path) -> None:
    from scenarios.policy import write_policy

    policy = load_policy()
    assert load_policy(write_policy(policy, tmp_path / "beleid.yaml")) == policy
    assert yaml.safe_load((tmp_path / "beleid.yaml").read_text("utf-8"))["lekp"]["period"] == {
        "from_year": 2021,
        "to_year": 2030,
    }
