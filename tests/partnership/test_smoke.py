def test_outsider_gets_404_on_overview(client, world):
    client.force_login(world.outsider)
    response = client.get(world.partnership.get_absolute_url())
    assert response.status_code == 404


def test_participant_sees_overview_with_emergency_number(client, world):
    client.force_login(world.member)
    response = client.get(world.partnership.get_absolute_url())
    assert response.status_code == 200
    assert "+31 20 555 0101" in response.content.decode()
