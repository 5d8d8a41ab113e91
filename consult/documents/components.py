"""The 14 components of a public-service standard (standar pelayanan), Law 25/2009 art. 21.

The key of each component is the stable section key of a service-standard document.
"""

from __future__ import annotations

from dataclasses import dataclass

from consult.i18n import lazy_gettext as _l


@dataclass(frozen=True)
class Component:
    key: str
    title: str  # the statutory Indonesian name, shown as written
    help: object  # lazy translated hint


COMPONENTS: tuple[Component, ...] = (
    Component("dasar-hukum", "Dasar hukum", _l("Laws and regulations that are the basis of the service.")),
    Component("persyaratan", "Persyaratan", _l("Documents and conditions required to receive the service.")),
    Component(
        "sistem-mekanisme-prosedur",
        "Sistem, mekanisme, dan prosedur",
        _l("The steps of the service, for the provider and the applicant, including complaints."),
    ),
    Component("jangka-waktu", "Jangka waktu pelayanan", _l("How long the whole service takes.")),
    Component("biaya-tarif", "Biaya/tarif", _l("What the applicant pays, or that it is free, and its legal basis.")),
    Component("produk-pelayanan", "Produk pelayanan", _l("What the applicant receives.")),
    Component(
        "sarana-prasarana",
        "Sarana, prasarana, dan/atau fasilitas",
        _l("Equipment and facilities, including for people with disabilities."),
    ),
    Component("kompetensi-pelaksana", "Kompetensi pelaksana", _l("Knowledge, skills and attitude required of staff.")),
    Component("pengawasan-internal", "Pengawasan internal", _l("Supervision by superiors and internal auditors.")),
    Component(
        "penanganan-pengaduan",
        "Penanganan pengaduan, saran, dan masukan",
        _l("How complaints, suggestions and input are received and followed up."),
    ),
    Component("jumlah-pelaksana", "Jumlah pelaksana", _l("The number of staff matched to the workload.")),
    Component(
        "jaminan-pelayanan",
        "Jaminan pelayanan",
        _l("The guarantee that the service is delivered according to the standard."),
    ),
    Component(
        "jaminan-keamanan",
        "Jaminan keamanan dan keselamatan pelayanan",
        _l("Commitment to security, safety and certainty of the service."),
    ),
    Component(
        "evaluasi-kinerja",
        "Evaluasi kinerja pelaksana",
        _l("How the performance of staff and the service is evaluated against the standard."),
    ),
)

COMPONENT_KEYS = tuple(c.key for c in COMPONENTS)
