"""Written resolutions of members: drafted, sent round, agreed online or on paper, passed or lapsed."""
