"""The push section: which channels are on, what a half-set channel says, and that keys never show."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from confer.core.clock import OffsetClock
from confer.modules.notifications.push.apns import ApnsSender
from confer.modules.notifications.push.fcm import FcmSender
from confer.modules.notifications.push.senders import senders
from confer.modules.notifications.push.settings import PREFIX, PushSettings
from confer.modules.notifications.push.webpush import WebPushSender
from confer.settings import SettingsError, load_section
from tests.modules.notifications.push.conftest import apns_settings, vapid_settings
from tests.modules.notifications.push.peers import FcmPeer, Tls, pem


def every_channel(
    tls: Tls, apns_key: ec.EllipticCurvePrivateKey, vapid_key: ec.EllipticCurvePrivateKey
) -> PushSettings:
    apns = apns_settings(apns_key, tls, "https://127.0.0.1:1")
    webpush = vapid_settings(vapid_key, tls)
    return PushSettings(
        apns_key=apns.apns_key,
        apns_key_id=apns.apns_key_id,
        apns_team_id=apns.apns_team_id,
        apns_topic=apns.apns_topic,
        fcm_service_account=FcmPeer(clock=OffsetClock()).service_account(),
        vapid_private_key=webpush.vapid_private_key,
        vapid_public_key=webpush.vapid_public_key,
        vapid_subject=webpush.vapid_subject,
    )


async def test_no_channel_is_on_until_configured() -> None:
    assert senders(PushSettings()) == {}


async def test_each_configured_channel_gets_its_sender(
    tls: Tls, apns_key: ec.EllipticCurvePrivateKey, vapid_key: ec.EllipticCurvePrivateKey
) -> None:
    made = senders(every_channel(tls, apns_key, vapid_key))
    try:
        assert {name: type(sender) for name, sender in made.items()} == {
            "apns": ApnsSender,
            "fcm": FcmSender,
            "webpush": WebPushSender,
        }
    finally:
        for sender in made.values():
            await sender.close()


def test_a_half_configured_channel_names_every_missing_variable(vapid_key: ec.EllipticCurvePrivateKey) -> None:
    with pytest.raises(SettingsError) as caught:
        senders(PushSettings(apns_key=pem(vapid_key), apns_topic="org.example.confer", vapid_subject="mailto:a@b.c"))
    assert caught.value.problems == [
        f"{PREFIX}APNS_KEY_ID: required when {PREFIX}APNS_KEY, {PREFIX}APNS_TOPIC is set",
        f"{PREFIX}APNS_TEAM_ID: required when {PREFIX}APNS_KEY, {PREFIX}APNS_TOPIC is set",
        f"{PREFIX}VAPID_PRIVATE_KEY: required when {PREFIX}VAPID_SUBJECT is set",
    ]


def test_unusable_keys_are_reported_without_quoting_them(
    tls: Tls, apns_key: ec.EllipticCurvePrivateKey, vapid_key: ec.EllipticCurvePrivateKey
) -> None:
    other = ec.generate_private_key(ec.SECP256R1())
    settings = every_channel(tls, apns_key, vapid_key)
    broken = PushSettings(
        **{
            **{name: getattr(settings, name) for name in settings.__struct_fields__},
            "apns_key": "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----",
            "fcm_service_account": '{"project_id": "p"}',
            "vapid_public_key": vapid_settings(other, tls).vapid_public_key,
        }
    )
    with pytest.raises(SettingsError) as caught:
        senders(broken)
    assert [problem.split(":")[0] for problem in caught.value.problems] == [
        f"{PREFIX}APNS_KEY",
        f"{PREFIX}FCM_SERVICE_ACCOUNT",
        f"{PREFIX}VAPID_PUBLIC_KEY",
    ]
    assert "not a key" not in str(caught.value)


def test_keys_never_show_in_repr(
    tls: Tls, apns_key: ec.EllipticCurvePrivateKey, vapid_key: ec.EllipticCurvePrivateKey
) -> None:
    settings = every_channel(tls, apns_key, vapid_key)
    shown = repr(settings)
    assert "PRIVATE KEY" not in shown
    assert settings.vapid_private_key not in shown
    assert "'apns_key': '***'" in shown
    assert "'apns_key_id': 'KEY7654321'" in shown


def test_the_section_reads_from_the_environment() -> None:
    settings = load_section(
        PushSettings,
        PREFIX,
        {f"{PREFIX}APNS_SANDBOX": "true", f"{PREFIX}VAPID_SUBJECT": "mailto:ops@example.org", f"{PREFIX}FCM_URL": ""},
    )
    assert settings.apns_sandbox is True
    assert settings.vapid_subject == "mailto:ops@example.org"
    assert settings.fcm_url == "https://fcm.googleapis.com"
    with pytest.raises(SettingsError, match="VAPID_SUBJECT"):
        load_section(PushSettings, PREFIX, {f"{PREFIX}VAPID_SUBJECT": "ops@example.org"})
