import pytest
from django.contrib.auth import get_user_model

from kinerja.org.models import Assignment, Person, Position

PASSWORD = "kata-sandi-uji-123"


def _user_for(position_code: str, username: str, *, staff: bool = False):
    user = get_user_model().objects.create_user(username, password=PASSWORD, is_staff=staff)
    position = Position.objects.get(code=position_code)
    person = Person.objects.create(name=f"Demo {position.name}", user=user)
    Assignment.objects.create(person=person, position=position, start="2024-01-01")
    return user


@pytest.fixture
def pelaksana(org):
    return _user_for("pelaksana-perencanaan", "pelaksana")


@pytest.fixture
def admin_user(org):
    user = get_user_model().objects.create_superuser("admin", password=PASSWORD)
    return user


@pytest.fixture
def pelaksana_client(client, pelaksana):
    client.force_login(pelaksana)
    return client


@pytest.fixture
def admin_client_(client, admin_user):
    client.force_login(admin_user)
    return client
