import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Create the 'admin' superuser with a random password on first run and say where the "
        "password is; never overwrite an existing account."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        User = get_user_model()
        password_file = settings.VAR_DIR / "admin_password"
        if User.objects.filter(is_superuser=True).exists():
            hint = (
                f"the password is in {password_file}"
                if password_file.exists()
                else f"reset a password with: .venv/bin/python manage.py changepassword {username}"
            )
            self.stdout.write(f"Admin: http://127.0.0.1:8000/admin/ ({hint}).")
            return
        # Generated here and kept only in the local, git-ignored var/ folder: no password is
        # ever part of the repository.
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        password_file.write_text(password + "\n")
        password_file.chmod(0o600)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created the superuser '{username}' with password {password} "
                f"(kept in {password_file}). Sign in at http://127.0.0.1:8000/admin/"
            )
        )
