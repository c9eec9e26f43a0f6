"""The Bluesky publisher end to end against a real PDS (@atproto/pds on localhost, see conftest).

Everything here goes through real XRPC: sign-in, session reuse and refresh, blob upload, facets,
link cards, threads, the deterministic TID record key, and the exactly-once read-back. Failures
the server cannot be made to produce (a lost answer, a 500 on a record it did create) are
injected *around* the real server by a transport that forwards the request first.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import httpx
import pytest

from cmpub.deploy.publishers._atproto import TID_RE, tid_parts
from cmpub.deploy.publishers.base import PublishError, Receipt
from cmpub.deploy.publishers.bluesky import PASSWORD_VARIABLE, BlueskyPublisher
from tests.deploy.publishers.conftest import Pds
from tests.support.bluesky import (
    WHEN,
    Recorder,
    big_file,
    forged_access_jwt,
    make_image,
    make_item,
    receipt_ref,
)

POST = "app.bsky.feed.post"


def publisher(
    pds: Pds,
    state: Path,
    transport: httpx.BaseTransport | None = None,
    password: str | None = None,
    **settings: Any,
) -> BlueskyPublisher:
    environ = {PASSWORD_VARIABLE: password or pds.password}
    context: dict[str, Any] = {"state_dir": state, "timeout": 10}
    if transport is not None:
        context["transport"] = transport
    return BlueskyPublisher.from_env(
        environ, {"handle": pds.handle, "service": pds.url, **settings}, context
    )


def get_record(pds: Pds, rkey: str) -> dict[str, Any]:
    response = httpx.get(
        f"{pds.url}/xrpc/com.atproto.repo.getRecord",
        params={"repo": pds.did, "collection": POST, "rkey": rkey},
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def records_with_text(pds: Pds, text: str) -> list[dict[str, Any]]:
    """The account's posts whose text is ``text`` (the server's own count, all pages)."""
    found, cursor = [], None
    while True:
        params = {"repo": pds.did, "collection": POST, "limit": 100}
        if cursor:
            params["cursor"] = cursor
        data = httpx.get(f"{pds.url}/xrpc/com.atproto.repo.listRecords", params=params).json()
        found += [r for r in data["records"] if r["value"]["text"] == text]
        cursor = data.get("cursor")
        if not cursor or not data["records"]:
            return found


def covered(text: str, facet: dict[str, Any]) -> str:
    index = facet["index"]
    return text.encode("utf-8")[index["byteStart"] : index["byteEnd"]].decode("utf-8")


# ----------------------------------------------------------------------------- session


def test_login_once_then_reuse_the_kept_session(pds: Pds, tmp_path: Path) -> None:
    first = Recorder()
    receipt = publisher(pds, tmp_path, first).publish(make_item("session-1", "Premier essai"))
    assert first.count("com.atproto.server.createSession") == 1
    assert receipt.remote_id.startswith(f"at://{pds.did}/{POST}/")

    kept = tmp_path / "bluesky-session-brand.test.json"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert (tmp_path / ".gitignore").read_text() == "*\n"
    assert pds.password not in kept.read_text()

    second = Recorder()  # a later run: no new sign-in (createSession is limited to 30 / 5 min)
    publisher(pds, tmp_path, second).publish(make_item("session-2", "Deuxième essai"))
    assert second.count("com.atproto.server.createSession") == 0
    assert second.count("com.atproto.server.refreshSession") == 0
    assert second.count("com.atproto.repo.createRecord") == 1


def test_an_expired_access_token_is_refreshed_not_a_new_login(pds: Pds, tmp_path: Path) -> None:
    publisher(pds, tmp_path).publish(make_item("refresh-1", "Avant expiration"))
    kept = tmp_path / "bluesky-session-brand.test.json"
    data = json.loads(kept.read_text())
    data["session"]["accessJwt"] = forged_access_jwt(pds.jwt_secret, pds.did)
    kept.write_text(json.dumps(data))

    recorder = Recorder()
    receipt = publisher(pds, tmp_path, recorder).publish(make_item("refresh-2", "Après"))
    assert receipt.extra["cid"]
    assert recorder.count("com.atproto.server.refreshSession") == 1
    assert recorder.count("com.atproto.server.createSession") == 0
    assert recorder.count("com.atproto.repo.createRecord") == 2  # ExpiredToken, then created
    assert json.loads(kept.read_text())["session"]["accessJwt"] != data["session"]["accessJwt"]


def test_a_refused_refresh_signs_in_again(pds: Pds, tmp_path: Path) -> None:
    publisher(pds, tmp_path).publish(make_item("relogin-1", "Session à refaire"))
    kept = tmp_path / "bluesky-session-brand.test.json"
    data = json.loads(kept.read_text())
    data["session"]["accessJwt"] = forged_access_jwt(pds.jwt_secret, pds.did)
    data["session"]["refreshJwt"] = "not.a.token"
    kept.write_text(json.dumps(data))

    recorder = Recorder()
    publisher(pds, tmp_path, recorder).publish(make_item("relogin-2", "Session refaite"))
    assert recorder.count("com.atproto.server.refreshSession") == 1
    assert recorder.count("com.atproto.server.createSession") == 1


def test_a_wrong_app_password_needs_a_person_and_is_never_shown(pds: Pds, tmp_path: Path) -> None:
    wrong = "wrong-app-password-1234"
    with pytest.raises(PublishError) as caught:
        publisher(pds, tmp_path, password=wrong).publish(make_item("badpw", "Jamais publié"))
    error = caught.value
    assert error.needs_person and not error.retryable
    assert error.message == (
        "Bluesky refused the app password for @brand.test: create a new app password and set "
        "CMPUB_BLUESKY_APP_PASSWORD"
    )
    assert wrong not in str(error) and pds.password not in str(error)
    assert records_with_text(pds, "Jamais publié") == []


# ----------------------------------------------------------------------------- records


def test_text_post_with_link_tag_and_mention_facets_on_french_text(
    pds: Pds, tmp_path: Path
) -> None:
    shown = "brulerie-canuts.fr/guji…"
    full = "https://brulerie-canuts.fr/guji-ethiopie-lavé?utm_source=bluesky&utm_campaign=guji"
    text = (
        "Café éthiopien ☕🇫🇷 torréfié à Lyon : goûtez le Guji 😋 avec @alice.test "
        f"(et @inconnu.test) #caféDeSpécialité #Lyon → {shown} ou la carte sur lyon.fr !"
    )
    item = make_item("facets", text, links=((shown, full),))
    receipt = publisher(pds, tmp_path).publish(item)

    value = get_record(pds, receipt.extra["rkey"])["value"]
    assert value["text"] == text
    assert value["langs"] == ["fr"]
    assert value["createdAt"] == "2026-12-01T08:00:00.000Z"
    got = [(covered(text, f), f["features"][0]) for f in value["facets"]]
    assert got == [
        ("@alice.test", {"$type": "app.bsky.richtext.facet#mention", "did": pds.friend_did}),
        ("#caféDeSpécialité", {"$type": "app.bsky.richtext.facet#tag", "tag": "caféDeSpécialité"}),
        ("#Lyon", {"$type": "app.bsky.richtext.facet#tag", "tag": "Lyon"}),
        (shown, {"$type": "app.bsky.richtext.facet#link", "uri": full}),
        ("lyon.fr", {"$type": "app.bsky.richtext.facet#link", "uri": "https://lyon.fr"}),
    ]
    # the unknown handle stays plain text, and the receipt says so
    assert receipt.extra["warnings"] == [
        "@inconnu.test is not a Bluesky account we could find: left as plain text, not a mention"
    ]
    # a shown short link gives the card too (no image): full URL, title, first sentence
    external = value["embed"]["external"]
    assert value["embed"]["$type"] == "app.bsky.embed.external"
    assert external["uri"] == full
    assert external["title"] == "Un titre"


def test_post_with_images_uploads_blobs_with_alt_and_aspect_ratio(pds: Pds, tmp_path: Path) -> None:
    images = (
        make_image(tmp_path / "img" / "tasse.png", (1200, 630), "Une tasse de Guji fumante"),
        make_image(tmp_path / "img" / "sac.png", (800, 1000), "Un sac de café vert"),
    )
    recorder = Recorder()
    text = "Deux photos du Guji : brulerie-canuts.fr/guji"
    item = make_item(
        "images", text, images=images, links=(("brulerie-canuts.fr/guji", "https://x.fr/g"),)
    )
    receipt = publisher(pds, tmp_path, recorder).publish(item)
    assert recorder.count("com.atproto.repo.uploadBlob") == 2

    embed = get_record(pds, receipt.extra["rkey"])["value"]["embed"]
    assert embed["$type"] == "app.bsky.embed.images"  # images win over the link card
    assert [i["alt"] for i in embed["images"]] == [
        "Une tasse de Guji fumante",
        "Un sac de café vert",
    ]
    assert [i["aspectRatio"] for i in embed["images"]] == [
        {"width": 1200, "height": 630},
        {"width": 800, "height": 1000},
    ]
    for entry, image in zip(embed["images"], images, strict=True):
        blob = entry["image"]
        assert blob["mimeType"] == "image/png" and blob["size"] == image.bytes
        served = httpx.get(
            f"{pds.url}/xrpc/com.atproto.sync.getBlob",
            params={"did": pds.did, "cid": blob["ref"]["$link"]},
        )
        assert served.content == Path(image.path).read_bytes()


def test_an_image_over_the_cap_is_refused_before_any_upload(pds: Pds, tmp_path: Path) -> None:
    heavy = big_file(tmp_path / "lourde.jpg", 2_400_000)
    recorder = Recorder()
    item = make_item("too-big", "Une photo trop lourde", images=(heavy,))
    with pytest.raises(PublishError) as caught:
        publisher(pds, tmp_path, recorder).publish(item)
    assert caught.value.message.startswith(
        "Bluesky rejected the image: 2.4 MB is over the 1 MB limit"
    )
    assert caught.value.needs_person and not caught.value.retryable
    assert recorder.count("com.atproto.repo.uploadBlob") == 0
    assert recorder.count("com.atproto.repo.createRecord") == 0
    # bsky.social's 2 MB cap, from cmpub.yaml: 1.5 MB goes through (the PDS checks no cap)
    ok = big_file(tmp_path / "moyenne.jpg", 1_500_000)
    two_mb = publisher(pds, tmp_path, image_max_bytes=2_000_000)
    receipt = two_mb.publish(make_item("two-mb", "Une photo de 1,5 Mo", images=(ok,)))
    assert receipt.extra["cid"]


def test_link_card_without_image(pds: Pds, tmp_path: Path) -> None:
    text = "Le Guji est arrivé. Venez le goûter samedi !\n\nbrulerie-canuts.fr/guji"
    full = "https://brulerie-canuts.fr/guji?utm_source=bluesky"
    item = make_item(
        "card", text, title="Le Guji est là", links=(("brulerie-canuts.fr/guji", full),)
    )
    receipt = publisher(pds, tmp_path).publish(item)
    value = get_record(pds, receipt.extra["rkey"])["value"]
    assert value["embed"] == {
        "$type": "app.bsky.embed.external",
        "external": {
            "uri": full,
            "title": "Le Guji est là",
            "description": "Le Guji est arrivé.",
        },
    }


def test_link_card_picture_is_uploaded_as_thumb(pds: Pds, tmp_path: Path) -> None:
    from cmpub.deploy.publishers.base import Item

    if "card_image" not in Item.__dataclass_fields__:
        pytest.skip("Item has no card_image field")
    picture = make_image(tmp_path / "og.png", (1200, 630), "")
    item = make_item(
        "card-thumb",
        "Nouvel article : brulerie-canuts.fr/a",
        links=(("brulerie-canuts.fr/a", "https://brulerie-canuts.fr/a"),),
        card_image=picture,
    )
    receipt = publisher(pds, tmp_path).publish(item)
    thumb = get_record(pds, receipt.extra["rkey"])["value"]["embed"]["external"]["thumb"]
    assert thumb["mimeType"] == "image/png" and thumb["size"] == picture.bytes


def test_thread_of_three_parts_replies_to_root_and_parent(pds: Pds, tmp_path: Path) -> None:
    pub = publisher(pds, tmp_path)
    texts = ["1/3 Le Guji, d'où vient-il ?", "2/3 Des hauts plateaux d'Éthiopie 🇪🇹", "3/3 Fin."]
    receipts: list[Receipt] = []
    for part, text in enumerate(texts):
        item = make_item(
            "thread",
            text,
            part=part,
            parts=3,
            root=receipts[0] if receipts else None,
            parent=receipts[-1] if receipts else None,
        )
        receipts.append(pub.publish(item))
    first, second, third = (get_record(pds, r.extra["rkey"])["value"] for r in receipts)
    assert "reply" not in first
    assert second["reply"] == {"root": receipt_ref(receipts[0]), "parent": receipt_ref(receipts[0])}
    assert third["reply"] == {"root": receipt_ref(receipts[0]), "parent": receipt_ref(receipts[1])}
    assert len({r.extra["rkey"] for r in receipts}) == 3


# ----------------------------------------------------------------------------- exactly once


def test_record_key_is_a_deterministic_tid_the_pds_accepts(pds: Pds, tmp_path: Path) -> None:
    item = make_item("tid", "Clé déterministe")
    a = publisher(pds, tmp_path / "a").record_key(item)
    b = publisher(pds, tmp_path / "b").record_key(item)
    assert a == b and TID_RE.match(a)
    micros, _ = tid_parts(a)
    assert micros // 1_000_000 == int(WHEN.timestamp())  # sorts as the publish time
    receipt = publisher(pds, tmp_path).publish(item)
    assert receipt.extra["rkey"] == a
    assert receipt.remote_id == f"at://{pds.did}/{POST}/{a}"
    assert receipt.url == f"https://bsky.app/profile/brand.test/post/{a}"
    other = make_item("tid", "Clé déterministe", part=1, parts=2)
    assert publisher(pds, tmp_path).record_key(other) != a


def test_publishing_again_does_not_duplicate(pds: Pds, tmp_path: Path) -> None:
    item = make_item("again", "Une seule fois, promis")
    first = publisher(pds, tmp_path).publish(item)
    recorder = Recorder()
    second = publisher(pds, tmp_path / "other-run", recorder).publish(item)
    assert second == first
    assert recorder.count("com.atproto.repo.createRecord") == 0
    assert recorder.count("com.atproto.server.createSession") == 0  # no sign-in needed
    assert len(records_with_text(pds, item.text)) == 1


def test_the_pds_answers_a_duplicate_record_key_with_a_generic_500(pds: Pds) -> None:
    login = httpx.post(
        f"{pds.url}/xrpc/com.atproto.server.createSession",
        json={"identifier": pds.handle, "password": pds.password},
    ).json()
    headers = {"Authorization": f"Bearer {login['accessJwt']}"}
    body = {
        "repo": pds.did,
        "collection": POST,
        "rkey": "3lzzzzzzzzz22",
        "record": {"$type": POST, "text": "dup", "createdAt": "2026-12-01T08:00:00.000Z"},
    }
    url = f"{pds.url}/xrpc/com.atproto.repo.createRecord"
    assert httpx.post(url, json=body, headers=headers).status_code == 200
    again = httpx.post(url, json=body, headers=headers)
    assert again.status_code == 500
    assert again.json() == {"error": "InternalServerError", "message": "Internal Server Error"}


def test_duplicate_key_500_is_read_back_as_success(pds: Pds, tmp_path: Path) -> None:
    """A concurrent run created it between our check and our createRecord: the real PDS
    answers 500, the read-back finds our text, nothing is posted twice."""
    item = make_item("dup-race", "Course entre deux déploiements")
    first = publisher(pds, tmp_path).publish(item)
    hidden = {"done": False}

    def hide_first_check(request: httpx.Request, forward: Any) -> httpx.Response:
        if request.url.path.endswith("getRecord") and not hidden["done"]:
            hidden["done"] = True  # the pre-check runs "before" the other run's post
            return httpx.Response(400, json={"error": "RecordNotFound", "message": "gone"})
        return forward(request)

    recorder = Recorder(hide_first_check)
    again = publisher(pds, tmp_path, recorder).publish(item)
    assert recorder.calls.count("com.atproto.repo.createRecord") == 1  # real 500
    assert recorder.count("com.atproto.repo.getRecord") == 2  # check, read-back
    assert again == first
    assert len(records_with_text(pds, item.text)) == 1


def test_a_500_without_the_record_is_a_real_retryable_failure(pds: Pds, tmp_path: Path) -> None:
    def broken(request: httpx.Request, forward: Any) -> httpx.Response:
        if request.url.path.endswith("createRecord"):
            return httpx.Response(500, json={"error": "InternalServerError", "message": "boom"})
        return forward(request)

    item = make_item("real-500", "Le serveur tombe")
    pub = publisher(pds, tmp_path, Recorder(broken))
    with pytest.raises(PublishError) as caught:
        pub.publish(item)
    assert caught.value.retryable and caught.value.status == 500
    assert pub.lookup(item) is None
    assert records_with_text(pds, item.text) == []
    receipt = publisher(pds, tmp_path).publish(item)  # the retry goes out, once
    assert len(records_with_text(pds, item.text)) == 1 and receipt.extra["cid"]


def test_a_lost_answer_after_the_post_went_out_is_a_success(pds: Pds, tmp_path: Path) -> None:
    def lose_answer(request: httpx.Request, forward: Any) -> httpx.Response:
        response = forward(request)
        if request.url.path.endswith("createRecord"):
            raise httpx.ReadTimeout("timed out", request=request)
        return response

    item = make_item("lost-answer", "Réponse perdue, post publié")
    receipt = publisher(pds, tmp_path, Recorder(lose_answer)).publish(item)
    assert receipt.remote_id.endswith(receipt.extra["rkey"])
    assert len(records_with_text(pds, item.text)) == 1


def test_another_text_at_our_key_needs_a_person(pds: Pds, tmp_path: Path) -> None:
    publisher(pds, tmp_path).publish(make_item("edited", "Texte d'origine"))
    with pytest.raises(PublishError) as caught:
        publisher(pds, tmp_path).publish(make_item("edited", "Texte corrigé après coup"))
    assert caught.value.needs_person and caught.value.code == "conflict"
    assert records_with_text(pds, "Texte corrigé après coup") == []


def test_lookup_before_and_after(pds: Pds, tmp_path: Path) -> None:
    item = make_item("lookup", "Déjà parti ?")
    recorder = Recorder()
    pub = publisher(pds, tmp_path / "fresh", recorder)
    assert pub.lookup(item) is None
    receipt = pub.publish(item)
    found = publisher(pds, tmp_path / "elsewhere").lookup(item)
    assert found == Receipt(receipt.remote_id, receipt.url, receipt.extra)
    assert not os.path.exists(tmp_path / "elsewhere")  # lookup needs no sign-in
