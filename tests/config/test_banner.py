from config.banner import banner
from demo.handover import OPS_USER
from demo.management.commands.load_demo import DEMO_USERS


def test_the_banner_names_the_real_port_and_every_demo_login():
    text = banner(port="7123")
    assert "http://127.0.0.1:7123/" in text
    logins = text.split("Demo logins (password: demo): ", 1)[1].splitlines()[0].split(", ")
    assert logins == [username for username, *_ in DEMO_USERS] + [OPS_USER[0]]
    assert "ops" in logins
