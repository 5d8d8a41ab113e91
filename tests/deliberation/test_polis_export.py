"""Reading a Polis export: the real one, a participants-votes only one, and folders that are not exports."""

from __future__ import annotations

import pytest

from consult.deliberation.polis_export import PolisExportError, export_votes, read_polis_export
from tests.conftest import shared_file

COMMENTS = "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
VOTES = "timestamp,datetime,comment-id,voter-id,vote\n"


def test_the_real_scoop_hivemind_export_is_read_with_its_attribution():
    export = read_polis_export(shared_file("polis", "scoop-hivemind.ubi"))
    assert export.topic == "A Universal Basic Income for Aotearoa NZ?"
    assert export.url == "https://pol.is/4yy3sh84js"
    assert "CC BY 4.0" in export.attribution and export.url in export.attribution
    assert len(export.comments) == 71
    assert export.moderated_out == [14]
    assert export.votes_source == "votes.csv"
    assert export.vote_count == 7153  # 7174 rows, later votes replacing earlier ones on the same pair
    assert len(export.published_groups) == 234
    first = export.comments[0]
    assert first.comment_id == 0 and first.text and first.moderated == 1
    multiline = next(c for c in export.comments if c.comment_id == 70)
    assert "\n" in multiline.text
    votes = export_votes(export)
    assert votes.count == 7153 and len(votes.participant_ids) == len(set(export.participant_ids.tolist()))


def test_the_latest_vote_on_a_pair_wins(tmp_path):
    (tmp_path / "comments.csv").write_text(COMMENTS + '1,x,5,1,0,0,1,"Hello, world"\n', encoding="utf-8")
    (tmp_path / "votes.csv").write_text(VOTES + "30,x,5,9,-1\n10,x,5,9,1\n20,x,5,8,0\n", encoding="utf-8")
    export = read_polis_export(tmp_path)
    assert export.participant_ids.tolist() == [8, 9]
    assert export.values.tolist() == [0, -1]
    assert export.timestamps.tolist() == [20, 30]


def test_participants_votes_alone_is_enough(tmp_path):
    (tmp_path / "participants-votes.csv").write_text(
        "participant,group-id,n-comments,n-votes,n-agree,n-disagree,0,1,3\n0,1,0,2,1,1,1,-1,\n1,,0,1,0,0,,,0\n",
        encoding="utf-8",
    )
    export = read_polis_export(tmp_path)
    assert export.votes_source == "participants-votes.csv"
    assert [c.comment_id for c in export.comments] == [0, 1, 3]
    triples = zip(export.participant_ids.tolist(), export.comment_ids.tolist(), export.values.tolist(), strict=True)
    assert list(triples) == [
        (0, 0, 1),
        (0, 1, -1),
        (1, 3, 0),
    ]
    assert export.published_groups == {0: 1}
    assert export.timestamps is None


def test_a_folder_that_is_not_a_polis_export_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    with pytest.raises(PolisExportError, match="is not a Polis export"):
        read_polis_export(tmp_path)
    with pytest.raises(PolisExportError, match="is not a folder"):
        read_polis_export(tmp_path / "missing")
    (tmp_path / "votes.csv").write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    (tmp_path / "comments.csv").write_text(COMMENTS, encoding="utf-8")
    with pytest.raises(PolisExportError, match=r"^votes.csv line 1: not a Polis export header"):
        read_polis_export(tmp_path)


@pytest.mark.parametrize(
    ("file", "content", "message"),
    [
        ("votes.csv", VOTES + "1,x,5,9,1\n2,x,5,8,yes\n", r"^votes.csv line 3: vote must be an integer, got 'yes'"),
        ("votes.csv", VOTES + "1,x,5,9,1\n2,x,5,8,2\n", r"^votes.csv line 3: vote must be 1, -1 or 0, got '2'"),
        ("votes.csv", VOTES + "1,x,5,9\n", r"^votes.csv line 2: expected 5 columns, found 4"),
        ("votes.csv", VOTES + "1,x,5,9,1\n2,x,6,9,1\n", r"^votes.csv line 3: comment-id 6 is not in comments.csv"),
        (
            "comments.csv",
            COMMENTS + "1,x,5,1,0,0,1,a\n1,x,5,1,0,0,1,b\n",
            r"^comments.csv line 3: comment-id 5 appears twice",
        ),
        ("comments.csv", COMMENTS + "1,x,5,1,0,0,2,a\n", r"^comments.csv line 2: moderated must be 1, 0 or -1"),
    ],
)
def test_a_malformed_row_names_the_file_and_line(tmp_path, file, content, message):
    (tmp_path / "comments.csv").write_text(COMMENTS + "1,x,5,1,0,0,1,a\n", encoding="utf-8")
    (tmp_path / "votes.csv").write_text(VOTES + "1,x,5,9,1\n", encoding="utf-8")
    (tmp_path / file).write_text(content, encoding="utf-8")
    with pytest.raises(PolisExportError, match=message) as error:
        read_polis_export(tmp_path)
    assert error.value.file == file


def test_a_bad_participants_votes_cell_names_its_line(tmp_path):
    (tmp_path / "participants-votes.csv").write_text(
        "participant,group-id,n-comments,n-votes,n-agree,n-disagree,0\n0,1,0,1,1,0,1\n1,0,0,1,1,0,agree\n",
        encoding="utf-8",
    )
    with pytest.raises(PolisExportError, match=r"^participants-votes.csv line 3: vote on comment 0 must be an integer"):
        read_polis_export(tmp_path)


def test_the_fast_vote_reader_and_the_csv_reader_agree_on_the_real_export():
    from consult.deliberation.polis_export import readers

    path = shared_file("polis", "scoop-hivemind.ubi", "votes.csv")
    fast = readers._read_votes_fast(path)
    slow = readers._read_votes_csv(path)
    assert fast is not None
    for a, b in zip(fast, slow, strict=True):
        assert a.tolist() == b.tolist()


def test_negative_and_crlf_votes_take_the_fast_path(tmp_path):
    from consult.deliberation.polis_export import readers

    path = tmp_path / "votes.csv"
    path.write_bytes(b"timestamp,datetime,comment-id,voter-id,vote\r\n5,Sun Aug 13,3,7,-1\r\n6,x,3,8,0\r\n")
    ts, cid, pid, vote = readers._read_votes_fast(path)
    assert ts.tolist() == [5, 6] and cid.tolist() == [3, 3] and pid.tolist() == [7, 8] and vote.tolist() == [-1, 0]
