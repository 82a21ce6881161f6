"""Open Badges 3.0: the credential of a certificate, signed with the issuer's Ed25519 key
(eddsa-rdfc-2022), checked by an independent implementation (Digital Bazaar's JavaScript one,
run by node from node_modules: tests/js/verify_credential.mjs), then revoked and superseded
through the Bitstring Status Lists the app publishes."""
from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from browser import unavailable
from elearn.badges import bitstring, credential as documents, jsonld
from elearn.certificates import service as certificates
from elearn.db import db
from factories import finish_module, policy, user

ROOT = Path(__file__).resolve().parent.parent
VERIFIER = ROOT / "tests" / "js" / "verify_credential.mjs"
BASE = "https://elearn.example"


def independent_verifier_missing() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    if not (ROOT / "node_modules" / "@digitalbazaar" / "vc").exists():
        return "@digitalbazaar/vc is not installed (run `npm ci`)"
    return None


def keygen(runner) -> str:
    result = runner.invoke(args=["badges", "keygen"])
    assert result.exit_code == 0, result.output
    return result.output.split()[2]


def download(client, code: str, lang: str = "en"):
    return client.get(f"/{lang}/me/certificates/{code}.credential.json")


def published(client, credential: dict) -> dict:
    """Every document a verifier needs, as the app serves them (contexts from the shipped files)."""
    found = {url: jsonld.shipped(url) for url in (jsonld.VC_V2, jsonld.OB_V3, jsonld.MULTIKEY_V1)}
    urls = [credential["proof"]["verificationMethod"], credential["issuer"]["id"],
            *(entry["statusListCredential"] for entry in credential["credentialStatus"])]
    for url in urls:
        response = client.get(url.removeprefix(BASE))
        assert response.status_code == 200, url
        found[url] = response.get_json(force=True)
    # The status lists are signed too: the verifier checks them with the key they name.
    for url in [d["proof"]["verificationMethod"] for d in list(found.values()) if "proof" in d]:
        found[url] = client.get(url.removeprefix(BASE)).get_json(force=True)
    return found


def verify_independently(tmp_path, credential: dict, found: dict) -> dict:
    if reason := independent_verifier_missing():
        unavailable(reason)
    path = tmp_path / "verify-input.json"
    path.write_text(json.dumps({"credential": credential, "documents": found}), encoding="utf-8")
    run = subprocess.run(["node", str(VERIFIER), str(path)], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


@pytest.fixture
def earned(app, runner, login):
    """A signing key, and a learner who finished the sample module, signed in."""
    kid = keygen(runner)
    with app.app_context():
        certificate = finish_module("lena")
        code = certificate.code
    return kid, code, login("lena")


def test_the_credential_is_an_open_badge_in_both_languages(app, earned):
    kid, code, client = earned
    response = download(client, code)
    assert response.status_code == 200
    assert response.mimetype == "application/vc+ld+json"
    assert f'filename="elearn-sample-{code}.credential.json"' in response.headers["Content-Disposition"]
    credential = response.get_json(force=True)
    assert credential["@context"] == [jsonld.VC_V2, jsonld.OB_V3]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    with app.app_context():
        certificate = certificates.find(db.session, code)
        assert credential["validFrom"] == certificate.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert credential["validUntil"] == f"{certificate.expires_on.isoformat()}T23:59:59Z"
        achievement = credential["credentialSubject"]["achievement"]
        assert certificate.title_en in achievement["name"] and certificate.title_ar in achievement["name"]
        assert credential["credentialSubject"]["identifier"][0]["identityHash"] == certificate.name
    module = app.extensions["catalog"].module("sample")
    assert module.summary.en in achievement["description"] and module.summary.ar in achievement["description"]
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert credential["proof"]["verificationMethod"] == f"{BASE}/badges/keys/{kid}"
    assert {entry["statusPurpose"] for entry in credential["credentialStatus"]} == {"revocation", "message"}
    assert "@" not in json.dumps(credential["credentialSubject"]).replace("@context", "")  # no e-mail


def test_an_independent_verifier_accepts_it_then_sees_the_revocation(app, earned, runner, tmp_path):
    _kid, code, client = earned
    credential = download(client, code).get_json(force=True)
    before = verify_independently(tmp_path, credential, published(client, credential))
    assert before["proofVerified"] is True, before
    assert before["verified"] is True, before
    assert sorted(s["status"] for s in before["statuses"]) == [False, False] and before["revoked"] is False

    result = runner.invoke(args=["certificates", "revoke", code, "--reason", "issued in error"])
    assert result.exit_code == 0, result.output
    after = verify_independently(tmp_path, credential, published(client, credential))
    assert after["proofVerified"] is True and after["revoked"] is True  # the signature holds; the list says revoked
    assert {s["purpose"]: s["status"] for s in after["statuses"]} == {"revocation": True, "message": False}
    print(f"\nindependent verifier (Digital Bazaar vc + eddsa-rdfc-2022 + bitstring status list): before revoke {before}; "
          f"after `elearn certificates revoke`: {after}")


def test_an_open_badges_library_accepts_it_then_sees_the_revocation(app, earned, runner, client):
    """A second check, of the Open Badges 3.0 model this time: openbadgeslib (PyPI), whose
    OB3LdpVerifier reads the credential as an OpenBadgeCredential, checks its contexts' compacted
    form, the eddsa-rdfc-2022 proof with the key the app publishes, and the status bits (it checks
    a status list's own proof only for JWT lists; the JavaScript verifier checks ours)."""
    try:
        from openbadgeslib.ob3.ldp import OB3LdpVerifier
        from openbadgeslib.ob3.verifier import OB3VerificationError
    except ImportError:
        unavailable("openbadgeslib[ldp] is not installed (pip install -e '.[test]')")
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from elearn.badges import proof

    _kid, code, learner = earned
    credential = download(learner, code).get_json(force=True)
    key = client.get(credential["proof"]["verificationMethod"].removeprefix(BASE)).get_json(force=True)
    pem = Ed25519PublicKey.from_public_bytes(proof.public_key_from_multibase(key["publicKeyMultibase"])).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    fetch = lambda url: client.get(url.removeprefix(BASE)).get_data()  # noqa: E731 (the app, not the network)
    verifier = OB3LdpVerifier(pubkey_pem=pem)
    badge = verifier.verify(credential, check_status=True, download=fetch, verify_status_list=False)
    assert badge.name == credential["name"]
    runner.invoke(args=["certificates", "revoke", code, "--reason", "issued in error"])
    with pytest.raises(OB3VerificationError, match="revocation"):
        verifier.verify(credential, check_status=True, download=fetch, verify_status_list=False)


def test_an_independent_verifier_rejects_a_changed_credential(app, earned, tmp_path):
    _kid, code, client = earned
    credential = download(client, code).get_json(force=True)
    found = published(client, credential)
    credential["credentialSubject"]["identifier"][0]["identityHash"] = "Someone Else"
    assert verify_independently(tmp_path, credential, found)["verified"] is False


def test_a_renewal_sets_the_supersession_bit(app, earned, client):
    _kid, code, learner = earned
    with app.app_context():
        certificate = certificates.find(db.session, code)
        number = certificate.id
        renewed = certificates.renew(db.session, user("lena"), app.extensions["catalog"].module("sample"),
                                     certificate, policy())
        assert renewed is not None
    listed = client.get("/badges/status/superseded/0").get_json(force=True)
    assert listed["credentialSubject"]["statusPurpose"] == "message"
    bits = bitstring.decode(listed["credentialSubject"]["encodedList"])
    assert len(bits) * 8 == documents.LIST_SIZE
    assert bitstring.is_set(bits, number) and not bitstring.is_set(bits, renewed.id)
    revoked = bitstring.decode(client.get("/badges/status/revocation/0").get_json(force=True)
                               ["credentialSubject"]["encodedList"])
    assert not bitstring.is_set(revoked, number)


def post_credential(client, lang="en", upload: bytes | None = None, pasted: str = ""):
    html = client.get(f"/{lang}/verify/credential").get_data(as_text=True)
    token = html.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    data = {"csrf_token": token, "pasted": pasted}
    if upload is not None:
        data["upload"] = (io.BytesIO(upload), "credential.json")
    return client.post(f"/{lang}/verify/credential", data=data, content_type="multipart/form-data")


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_verify_page_checks_an_uploaded_or_pasted_credential(app, earned, runner, lang):
    _kid, code, learner = earned
    raw = download(learner, code).get_data()
    client = app.test_client()  # anyone may check, signed in or not
    valid = {"en": "Valid credential", "ar": "اعتماد صالح"}[lang]
    assert valid in post_credential(client, lang, upload=raw).get_data(as_text=True)
    assert valid in post_credential(client, lang, pasted=raw.decode()).get_data(as_text=True)

    changed = json.loads(raw)
    changed["validUntil"] = "2099-12-31T23:59:59Z"
    page = post_credential(client, lang, pasted=json.dumps(changed)).get_data(as_text=True)
    assert {"en": "The signature does not match", "ar": "التوقيع لا يطابق"}[lang] in page

    runner.invoke(args=["certificates", "revoke", code, "--reason", "test"])
    page = post_credential(client, lang, upload=raw).get_data(as_text=True)
    assert {"en": "the certificate was revoked", "ar": "الشهادة أُلغيت"}[lang] in page

    response = post_credential(client, lang, pasted="{not json")
    assert response.status_code == 400


def test_rotation_keeps_earlier_credentials_verifiable(app, earned, runner):
    old_kid, code, learner = earned
    before = download(learner, code).get_data()
    result = runner.invoke(args=["badges", "rotate"])
    new_kid = result.output.split()[-1]
    assert new_kid != old_kid
    after = download(learner, code).get_json(force=True)
    assert after["proof"]["verificationMethod"].endswith(new_kid)
    profile = app.test_client().get("/badges/issuer").get_json(force=True)
    assert profile["assertionMethod"] == [f"{BASE}/badges/keys/{k}" for k in sorted([old_kid, new_kid])]
    assert "Valid credential" in post_credential(app.test_client(), upload=before).get_data(as_text=True)
    # A retired (leaked) key is published as revoked, and what it signed no longer checks out here.
    assert runner.invoke(args=["badges", "retire", old_kid]).exit_code == 0
    key = app.test_client().get(f"/badges/keys/{old_kid}").get_json(force=True)
    assert "revoked" in key
    assert "not issued by this site" in post_credential(app.test_client(), upload=before).get_data(as_text=True)


def test_without_a_key_the_download_says_so(app, login):
    with app.app_context():
        code = finish_module("lena").code
    client = login("lena")
    response = download(client, code)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "no signing key" in page
    assert client.get("/badges/status/revocation/0").status_code == 503


def test_keygen_refuses_a_second_key_and_keeps_it_private(app, runner):
    keygen(runner)
    assert runner.invoke(args=["badges", "keygen"]).exit_code != 0
    folder = Path(app.config["BADGE_KEY_DIR"])
    pem = next(folder.glob("*.pem"))
    assert pem.stat().st_mode & 0o077 == 0
    assert ROOT not in pem.resolve().parents  # never inside the checkout in tests


def test_another_learner_cannot_download_it(app, earned, login):
    _kid, code, _learner = earned
    assert download(login("someone"), code).status_code == 404


def test_the_bitstring_round_trips():
    encoded = bitstring.encode(documents.LIST_SIZE, [0, 7, 8, 131_071])
    data = bitstring.decode(encoded)
    assert [i for i in (0, 1, 7, 8, 9, 131_071) if bitstring.is_set(data, i)] == [0, 7, 8, 131_071]
    assert data[0] == 0b1000_0001  # bit 0 is the first byte's most significant bit


def test_the_document_loader_never_fetches():
    with pytest.raises(jsonld.UnknownContext):
        jsonld.load_document("https://example.org/some-context")
