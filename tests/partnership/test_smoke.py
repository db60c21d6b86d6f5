def test_participant_sees_overview_with_emergency_number(client, world):
    client.force_login(world.member)
    response = client.get(world.partnership.get_absolute_url())
    assert response.status_code == 200
    assert "+31 20 555 0101" in response.content.decode()
