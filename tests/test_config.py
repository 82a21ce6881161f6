"""Settings from the environment, with safe defaults."""
from conftest import VALID
from elearn import create_app


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("ELEARN_SECRET_KEY", raising=False)
    monkeypatch.setenv("ELEARN_CONTENT_DIR", str(VALID))
    monkeypatch.setenv("ELEARN_INSTANCE_PATH", str(tmp_path / "inst"))
    first = create_app().config["SECRET_KEY"]
    second = create_app().config["SECRET_KEY"]
    assert first == second and len(first) >= 64
    key_file = tmp_path / "inst" / "secret_key"
    assert key_file.read_text() == first
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"


def test_settings_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("ELEARN_CONTENT_DIR", str(VALID))
    monkeypatch.setenv("ELEARN_INSTANCE_PATH", str(tmp_path / "inst"))
    monkeypatch.setenv("ELEARN_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("ELEARN_BASE_URL", "https://learn.example.org/")
    monkeypatch.setenv("ELEARN_DATABASE_URL", "sqlite:///" + str(tmp_path / "x.db"))
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["BASE_URL"] == "https://learn.example.org"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("x.db")
    assert not (tmp_path / "inst" / "secret_key").exists()


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("ELEARN_CONTENT_DIR", str(VALID))
    monkeypatch.setenv("ELEARN_INSTANCE_PATH", str(tmp_path / "inst"))
    monkeypatch.delenv("ELEARN_DATABASE_URL", raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///" + str(tmp_path / "inst" / "elearn.sqlite3")
