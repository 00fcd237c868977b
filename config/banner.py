"""What `make run` prints before it starts the stack: where to open it and how to sign in."""

import os


def banner(*, port: str) -> str:
    from demo.handover import OPS_USER
    from demo.management.commands.load_demo import DEMO_PASSWORD, DEMO_USERS

    usernames = [username for username, *_ in DEMO_USERS] + [OPS_USER[0]]
    return "\n".join(
        [
            "",
            f"  GoLive Desk is starting at http://127.0.0.1:{port}/",
            f"  Demo logins (password: {DEMO_PASSWORD}): {', '.join(usernames)}",
            "  Ctrl-C stops the web server, the Celery worker and beat.",
            "",
        ]
    )


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    print(banner(port=os.environ.get("WEB_PORT", "8000")))
