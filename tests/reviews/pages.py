"""Small helpers of the HTML view tests: reverse a review route, GET and POST as someone."""

from django.urls import reverse


def url(world, name, **kwargs) -> str:
    return reverse(f"reviews:{name}", kwargs={"partnership_id": world.partnership.pk, **kwargs})


def get(client, user, path, status=200) -> str:
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    return response.content.decode()


def post(client, user, path, data=None, status=302):
    client.force_login(user)
    response = client.post(path, data or {})
    assert response.status_code == status, (path, response.status_code)
    return response
