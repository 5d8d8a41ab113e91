"""The IAP2 spectrum of public participation: the level a round declares and the promise it makes to the public.

The promises are IAP2's own (IAP2 Spectrum of Public Participation, 2018), in Indonesian first. `kept_when` says,
in plain words, what the summary page checks to tell whether the promise was kept; the check itself is the
deliberation summary's (consult.deliberation), which knows the themes and whether feedback was published.
"""

from __future__ import annotations

from dataclasses import dataclass

from consult.i18n import LazyText
from consult.i18n import lazy_gettext as _l
from consult.rounds.models import Iap2Level


@dataclass(frozen=True)
class Iap2:
    level: str
    label: LazyText
    goal: LazyText
    promise: LazyText


LEVELS: dict[str, Iap2] = {
    Iap2Level.INFORM: Iap2(
        Iap2Level.INFORM,
        _l("Inform"),
        _l(
            "To give the public balanced and objective information to help them understand the problem, the "
            "alternatives, the opportunities and the solutions."
        ),
        _l("We will keep you informed."),
    ),
    Iap2Level.CONSULT: Iap2(
        Iap2Level.CONSULT,
        _l("Consult"),
        _l("To obtain public feedback on analysis, alternatives and decisions."),
        _l(
            "We will keep you informed, listen to and acknowledge your concerns and aspirations, and give feedback "
            "on how public input influenced the decision."
        ),
    ),
    Iap2Level.INVOLVE: Iap2(
        Iap2Level.INVOLVE,
        _l("Involve"),
        _l(
            "To work directly with the public throughout the process so that public concerns and aspirations are "
            "consistently understood and considered."
        ),
        _l(
            "We will work with you to ensure that your concerns and aspirations are directly reflected in the "
            "alternatives developed, and give feedback on how public input influenced the decision."
        ),
    ),
    Iap2Level.COLLABORATE: Iap2(
        Iap2Level.COLLABORATE,
        _l("Collaborate"),
        _l(
            "To partner with the public in each aspect of the decision, including the development of alternatives "
            "and the identification of the preferred solution."
        ),
        _l(
            "We will look to you for advice and innovation in formulating solutions and incorporate your advice and "
            "recommendations into the decisions to the maximum extent possible."
        ),
    ),
    Iap2Level.EMPOWER: Iap2(
        Iap2Level.EMPOWER,
        _l("Empower"),
        _l("To place final decision making in the hands of the public."),
        _l("We will implement what you decide."),
    ),
}


def level_of(value: str | None) -> Iap2:
    """The level a round declared; rounds made before levels existed promise what "consult" promises."""
    return LEVELS.get(value or Iap2Level.CONSULT, LEVELS[Iap2Level.CONSULT])
