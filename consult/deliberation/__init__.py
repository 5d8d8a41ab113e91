"""Deliberation computations after a round closes: suggested themes, opinion groups (Polis), mass-comment
campaigns and Polis exports, as plain modules; the services, pages and API that use them grow here too."""
