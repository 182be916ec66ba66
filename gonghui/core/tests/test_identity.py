import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from gonghui.core import crypto, identity


def make_id(body17: str) -> str:
    return body17 + identity.id_check_char(body17)


VALID = make_id("11010519491231002")


def test_valid_id_is_parsed_with_birth_and_sex():
    parsed = identity.parse_resident_id(VALID)
    assert parsed.birth_date == datetime.date(1949, 12, 31)
    assert parsed.sex == "F"  # the 17th digit, 2, is even
    assert parsed.number == VALID


def test_fullwidth_spaces_and_lowercase_x_are_normalized():
    number = next(make_id(f"3303021990010100{i}") for i in range(10) if make_id(f"3303021990010100{i}")[-1] == "X")
    messy = " " + number[:-1].translate(str.maketrans("0123456789", "０１２３４５６７８９")) + "x "
    assert identity.parse_resident_id(messy).number == number


def test_wrong_check_digit_is_refused_in_chinese_terms():
    bad = VALID[:-1] + ("0" if VALID[-1] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        identity.parse_resident_id(bad)
    assert exc.value.code == "id_check"


def test_fifteen_digit_legacy_number_is_converted():
    parsed = identity.parse_resident_id("110105491231002")
    assert parsed.number == VALID


def test_number_mangled_by_excel_is_refused_with_a_reason():
    with pytest.raises(ValidationError) as exc:
        identity.parse_resident_id("1.10105194912E+17")
    assert exc.value.code == "id_scientific"
    with pytest.raises(ValidationError) as exc:
        identity.parse_resident_id("11010519491231000")
    assert exc.value.code == "id_length"


def test_impossible_birth_date_is_refused():
    with pytest.raises(ValidationError) as exc:
        identity.parse_resident_id(make_id("11010519990230002"))
    assert exc.value.code == "id_birth"


@given(st.text(max_size=30))
def test_parser_never_crashes(raw):
    try:
        identity.parse_resident_id(raw)
    except ValidationError:
        pass


def test_other_documents_by_shape():
    assert identity.normalize_document("passport", " e1234567 ") == "E1234567"
    assert identity.normalize_document("hk_macau_permit", "H12345678") == "H12345678"
    with pytest.raises(ValidationError):
        identity.normalize_document("taiwan_permit", "ABC")


def test_mobile_numbers():
    assert identity.normalize_mobile("+86 138-1234-5678") == "13812345678"
    with pytest.raises(ValidationError):
        identity.normalize_mobile("12812345678")
    assert identity.normalize_phone("0571-87654321") == "0571-87654321"


def test_uscc_check_character():
    body = "91330100MA2B3C4D5"
    code = body + identity.uscc_check_char(body)
    assert identity.normalize_uscc(code.lower()) == code
    wrong = body + ("0" if code[-1] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        identity.normalize_uscc(wrong)
    assert exc.value.code == "uscc_check"
    # A real published code (Alibaba (China) Co., Ltd.)
    assert identity.normalize_uscc("91330100799655058B") == "91330100799655058B"


def test_masking():
    assert identity.mask("110105194912310021", kind="id_number") == "110***********0021"
    assert identity.mask("13812345678", kind="phone") == "138****5678"


def test_encryption_round_trip_rotates_keys_and_binds_kind(settings):
    token = crypto.encrypt("13812345678", kind="phone")
    assert "13812345678" not in token and crypto.key_id(token) == "t1"
    assert crypto.decrypt(token, kind="phone") == "13812345678"
    with pytest.raises(Exception):  # noqa: B017 - AES-GCM raises InvalidTag for the wrong associated data
        crypto.decrypt(token, kind="id_number")
    # Rotation: a new key first; old ciphertexts still decrypt, new ones use the new key.
    settings.GONGHUI_DATA_KEYS = "t2:" + "dddddddddddddddddddddddddddddddddddddddddd0=," + settings.GONGHUI_DATA_KEYS
    assert crypto.decrypt(token, kind="phone") == "13812345678"
    assert crypto.key_id(crypto.encrypt("x", kind="phone")) == "t2"


def test_blind_index_is_stable_and_keyed():
    a = crypto.blind_index("13812345678", kind="phone")
    assert a == crypto.blind_index("13812345678", kind="phone")
    assert a != crypto.blind_index("13812345679", kind="phone")
    assert a != crypto.blind_index("13812345678", kind="id_number")
