"""Our hashes as Stash sends them to a stash-box, and which of them a remote scene holds."""

from __future__ import annotations

from plugins_builtin.stashbox.fingerprints import Fingerprint, matched, of_fragment, stash_hash
from plugins_builtin.stashbox.source import search_term, stash_ids


def test_hash_formats_are_stashs() -> None:
    assert stash_hash("OSHASH", "00ABCDEF01234567") == "00abcdef01234567", "16 hex digits, as computed"
    assert stash_hash("OSHASH", "abc") == "0000000000000abc"
    assert stash_hash("PHASH", "000f00000000000a") == "f00000000000a", "PhashToString: FormatUint(v, 16)"
    assert stash_hash("PHASH", 0xF00) == "f00" and stash_hash("PHASH", -1) == "ffffffffffffffff"
    assert stash_hash("MD5", "D41D8CD98F00B204E9800998ECF8427E") == "d41d8cd98f00b204e9800998ecf8427e"
    for algorithm, bad in (("OSHASH", "xyz"), ("OSHASH", "1" * 17), ("MD5", "abc"), ("PHASH", ""), ("PHASH", None)):
        assert stash_hash(algorithm, bad) is None


def test_fragment_fingerprints_once_each_in_order() -> None:
    def fp(kind: str, value: str) -> dict[str, str]:
        return {"type": kind, "fingerprint": value}

    first = [fp("md5", "0" * 32), fp("phash", "00000000000000ff"), fp("oshash", "1234567890abcdef"), fp("oshash", "!")]
    second = [fp("oshash", "1234567890ABCDEF"), fp("other", "1")]
    fragment = {"files": [{"fingerprints": first}, {"fingerprints": second}]}
    assert [(f.algorithm, f.hash) for f in of_fragment(fragment)] == [
        ("OSHASH", "1234567890abcdef"), ("PHASH", "ff"), ("MD5", "0" * 32)]  # fmt: skip
    assert of_fragment({"files": []}) == [] and of_fragment({}) == []


def test_matched_compares_numbers_and_near_phashes() -> None:
    ours = [Fingerprint("OSHASH", "00000000000000a1"), Fingerprint("PHASH", "f0"), Fingerprint("MD5", "a" * 32)]
    theirs = [{"algorithm": "OSHASH", "hash": "00000000000000A1"}, {"algorithm": "PHASH", "hash": "00000000000000f1"},
              {"algorithm": "MD5", "hash": "b" * 32}]  # fmt: skip
    assert matched(ours, theirs) == [{"algorithm": "OSHASH", "hash": "00000000000000a1"},
                                     {"algorithm": "PHASH", "hash": "f0", "distance": 1}]  # fmt: skip
    assert matched(ours, None) == []


def test_search_term_and_stash_ids_of_a_fragment() -> None:
    fragment = {"title": "My_Clip.Part-2.mp4", "files": [{"path": "/m/My_Clip.Part-2.mp4"}],
                "stash_ids": [{"endpoint": "https://a/graphql", "stash_id": "x"}, {"endpoint": "https://b/graphql",
                                                                                  "stash_id": "y"}]}  # fmt: skip
    assert search_term(fragment) == "My Clip Part-2"
    assert search_term({"title": "  Night  and Day "}) == "Night and Day"
    assert search_term({"title": None}) is None
    assert stash_ids(fragment, "https://b/graphql") == ["y"] and stash_ids({}, "https://b/graphql") == []
