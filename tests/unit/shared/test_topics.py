"""Topic names, their dead-letter twins, and the prefix that lets tests run side by side."""

import re

from hoiam_shared import topics
from hoiam_shared.topics import (
    ALL_TOPICS,
    FEEDBACK_RECEIVED,
    INTAKE_RAW,
    Topics,
    dead_letter_topic,
)


def test_every_declared_topic_is_listed_and_follows_the_naming_rule() -> None:
    declared = {
        value
        for name, value in vars(topics).items()
        if name.isupper() and isinstance(value, str) and name != "DLQ_SUFFIX"
    }
    assert declared == set(ALL_TOPICS)
    assert len(ALL_TOPICS) == len(set(ALL_TOPICS))
    assert all(re.fullmatch(r"[a-z]+\.[a-z]+\.v\d+", topic) for topic in ALL_TOPICS)


def test_dead_letter_topic_appends_dlq() -> None:
    assert dead_letter_topic(INTAKE_RAW) == "intake.raw.v1.dlq"


def test_without_a_prefix_names_are_unchanged() -> None:
    assert Topics().name(FEEDBACK_RECEIVED) == "feedback.received.v1"
    assert Topics().dlq(FEEDBACK_RECEIVED) == "feedback.received.v1.dlq"


def test_the_prefix_applies_to_topic_and_dead_letter_topic() -> None:
    named = Topics(prefix="test-1a2b.")

    assert named.name(FEEDBACK_RECEIVED) == "test-1a2b.feedback.received.v1"
    assert named.dlq(FEEDBACK_RECEIVED) == "test-1a2b.feedback.received.v1.dlq"


def test_everything_is_each_topic_and_its_dead_letter_topic() -> None:
    named = Topics(prefix="t.")

    listed = list(named.everything())

    assert len(listed) == len(set(listed)) == 2 * len(ALL_TOPICS)
    assert set(listed) == {f"t.{t}" for t in ALL_TOPICS} | {f"t.{t}.dlq" for t in ALL_TOPICS}
