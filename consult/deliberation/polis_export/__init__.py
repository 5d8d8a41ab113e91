"""Read and validate a Polis export folder into plain data (no Flask, no database).

A Polis export (as published in compdemocracy/openData) holds:

- ``summary.csv``: key,value rows without a header (topic, url, views, voters, ...);
- ``comments.csv``: timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body
  (moderated: 1 accepted, 0 not yet moderated, -1 moderated out; a body may hold newlines inside quotes);
- ``votes.csv``: timestamp,datetime,comment-id,voter-id,vote, the raw vote log (a pair may repeat; the
  latest row wins; vote 1 agree, -1 disagree, 0 pass);
- ``participants-votes.csv``: participant,group-id,n-comments,n-votes,n-agree,n-disagree, then one column
  per comment id holding 1 / -1 / 0 or empty; group-id is the opinion group Polis assigned.

Votes come from votes.csv, or from participants-votes.csv when votes.csv is absent. Any malformed row raises
:class:`PolisExportError` naming the file and the line, before anything is returned: the importer either
gets the whole export or nothing. Two million vote rows read in a few seconds: rows are parsed in chunks
and converted by numpy, never kept as Python objects.

The package: ``model`` (the error and the data returned), ``csvfile`` (opening a file, integers and headers,
every error naming file and line), ``readers`` (votes.csv by the vectorised parser or the csv module,
participants-votes.csv) and ``folder`` (``read_polis_export``, which checks the files against each other, and
``export_votes``).
"""

from __future__ import annotations

from consult.deliberation.polis_export.folder import COMMENTS_HEADER as COMMENTS_HEADER
from consult.deliberation.polis_export.folder import export_votes, read_polis_export
from consult.deliberation.polis_export.model import PolisComment, PolisExport, PolisExportError
from consult.deliberation.polis_export.readers import CHUNK as CHUNK
from consult.deliberation.polis_export.readers import PARTICIPANTS_FIXED as PARTICIPANTS_FIXED
from consult.deliberation.polis_export.readers import VOTES_HEADER as VOTES_HEADER

__all__ = ["PolisComment", "PolisExport", "PolisExportError", "export_votes", "read_polis_export"]
