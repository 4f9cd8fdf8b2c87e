import pytest

from assistant.profile import FIELDS, Profile, ProfileError, load_profile, parse_value


def test_every_field_is_optional():
    assert len(Profile()) == 0
    assert Profile().unknown() == list(FIELDS)


@pytest.mark.parametrize(
    ("field", "raw", "expected"),
    [
        ("ml_team", "yes", True),
        ("ml_team", "False", False),
        ("edge", True, True),
        ("task", "open-ended", "open_ended"),
        ("task", "Open Ended", "open_ended"),
        ("privacy", "STRICT", "strict"),
        ("budget", "unknown", None),
        ("control", None, None),
    ],
)
def test_values_are_coerced(field, raw, expected):
    assert parse_value(field, raw) == expected


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"colour": "red"}, "unknown field 'colour'"),
        ({"privacy": "secret"}, "privacy: 'secret' is not allowed; use none | sensitive | strict"),
        ({"ml_team": "maybe"}, "use true | false"),
        ({"volume": 3}, "volume: 3 is not allowed; use low | medium | high"),
        ({"edge": "realtime"}, "edge"),
    ],
)
def test_bad_input_names_field_and_allowed_values(data, needle):
    with pytest.raises(ProfileError) as info:
        Profile(data)
    assert needle in str(info.value)


def test_load_profile_errors_name_the_origin():
    with pytest.raises(ProfileError, match=r"p\.yaml: privacy"):
        load_profile("privacy: secret\n", "p.yaml")
    with pytest.raises(ProfileError, match="not valid YAML"):
        load_profile("a: [1,\n", "p.yaml")
    with pytest.raises(ProfileError, match="expected a mapping"):
        load_profile("- a\n- b\n", "p.yaml")


def test_with_changes_and_clearing():
    profile = Profile({"ml_team": True, "task": "narrow"})
    changed = profile.with_changes({"ml_team": False, "task": None, "edge": "yes"})
    assert changed.to_dict() == {"ml_team": False, "edge": True}
    assert profile.to_dict() == {"task": "narrow", "ml_team": True}  # immutable


def test_assignments_parse_like_the_cli():
    assert Profile.parse_assignments(["ml_team=no", "privacy=strict", "edge=unknown"]) == {
        "ml_team": False,
        "privacy": "strict",
        "edge": None,
    }
    with pytest.raises(ProfileError, match="field=value"):
        Profile.parse_assignments(["ml_team"])


def test_profile_is_canonical_and_hashable():
    a = Profile({"task": "narrow", "data_type": "text"})
    b = Profile({"data_type": "text", "task": "narrow"})
    assert a == b and hash(a) == hash(b)
    assert list(a) == ["data_type", "task"]
