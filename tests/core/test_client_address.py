"""The client's address: forwarding headers count only from trusted proxies, read from the right."""

from __future__ import annotations

import pytest

from confer.core.client_address import TrustedProxies, client_address
from confer.settings import SettingsError, load_settings

INGRESS = TrustedProxies(["10.0.0.0/8", "fd00::/8"])
XFF = b"x-forwarded-for"
FORWARDED = b"forwarded"


def xff(*values: str) -> list[tuple[bytes, bytes]]:
    return [(XFF, value.encode()) for value in values]


def forwarded(*values: str) -> list[tuple[bytes, bytes]]:
    return [(FORWARDED, value.encode()) for value in values]


def test_a_peer_that_is_not_a_trusted_proxy_is_the_client_whatever_it_says() -> None:
    assert client_address("203.0.113.9", xff("198.51.100.1"), INGRESS, XFF) == "203.0.113.9"
    assert client_address("203.0.113.9", forwarded("for=198.51.100.1"), INGRESS, FORWARDED) == "203.0.113.9"
    assert client_address("203.0.113.9", xff("1.2.3.4"), TrustedProxies([]), XFF) == "203.0.113.9"


def test_behind_trusted_proxies_the_client_is_the_rightmost_untrusted_address() -> None:
    # the client wrote "6.6.6.6" itself; the ingress (10.0.0.7) appended the address it saw, then a second proxy
    chain = xff("6.6.6.6, 198.51.100.1, 10.0.0.7")
    assert client_address("10.0.0.8", chain, INGRESS, XFF) == "198.51.100.1"
    # several header lines make one list, in order
    assert client_address("10.0.0.8", xff("6.6.6.6", "198.51.100.1, 10.0.0.7"), INGRESS, XFF) == "198.51.100.1"


def test_a_chain_of_trusted_proxies_only_gives_the_farthest_one() -> None:
    assert client_address("10.0.0.8", xff("10.1.1.1, 10.0.0.7"), INGRESS, XFF) == "10.1.1.1"


def test_a_trusted_peer_without_a_header_is_the_client() -> None:
    assert client_address("10.0.0.8", [], INGRESS, XFF) == "10.0.0.8"


@pytest.mark.parametrize(
    "value",
    ["", " ", "garbage", ",,,", "999.1.1.1", "1.2.3.4:80", "[::1]", "unknown", "\x00", "a" * 5000, "10.0.0.7, nope"],
)
def test_a_malformed_header_falls_back_to_the_last_address_a_trusted_proxy_vouched_for(value: str) -> None:
    answer = client_address("10.0.0.8", xff(value), INGRESS, XFF)
    assert answer in {"10.0.0.8", "10.0.0.7"}


def test_garbage_left_of_the_client_is_never_reached() -> None:
    assert client_address("10.0.0.8", xff("not an address, 198.51.100.1"), INGRESS, XFF) == "198.51.100.1"


def test_ipv6_and_ipv4_mapped_peers() -> None:
    assert client_address("fd00::5", xff("2001:db8::1"), INGRESS, XFF) == "2001:db8::1"
    assert client_address("::ffff:10.0.0.8", xff("198.51.100.1"), INGRESS, XFF) == "198.51.100.1"


def test_rfc_7239_forwarded_elements_are_read_from_the_right() -> None:
    header = forwarded('for=6.6.6.6, for="[2001:db8:cafe::17]:4711";proto=https, for=10.0.0.7;by=10.0.0.8')
    assert client_address("10.0.0.8", header, INGRESS, FORWARDED) == "2001:db8:cafe::17"
    assert client_address("10.0.0.8", forwarded('For="198.51.100.1:5000"'), INGRESS, FORWARDED) == "198.51.100.1"
    assert client_address("10.0.0.8", forwarded('proto=https;for="198.51.100.1"'), INGRESS, FORWARDED) == (
        "198.51.100.1"
    )


@pytest.mark.parametrize("value", ["for=unknown", "for=_hidden", "proto=https", 'for="[::1', "for=", ";;,", '"'])
def test_a_forwarded_node_that_is_no_address_ends_the_walk(value: str) -> None:
    assert client_address("10.0.0.8", forwarded(value), INGRESS, FORWARDED) == "10.0.0.8"


def test_only_the_configured_header_is_read() -> None:
    both = [*xff("198.51.100.1"), *forwarded("for=203.0.113.5")]
    assert client_address("10.0.0.8", both, INGRESS, XFF) == "198.51.100.1"
    assert client_address("10.0.0.8", both, INGRESS, FORWARDED) == "203.0.113.5"


def test_trusted_proxies_are_networks_checked_at_start_up() -> None:
    assert load_settings(
        {"CONFER_ENV": "test", "CONFER_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.1"}
    ).trusted_proxies == (
        "10.0.0.0/8",
        "192.168.1.1",
    )
    with pytest.raises(SettingsError) as refused:
        load_settings({"CONFER_ENV": "test", "CONFER_TRUSTED_PROXIES": "10.0.0.0/8,the-ingress,10.0.0.0/33"})
    [problem] = refused.value.problems
    assert problem.startswith("CONFER_TRUSTED_PROXIES: not an address or network: the-ingress, 10.0.0.0/33")
    with pytest.raises(SettingsError):
        load_settings({"CONFER_ENV": "test", "CONFER_FORWARDED_HEADER": "x-real-ip"})
