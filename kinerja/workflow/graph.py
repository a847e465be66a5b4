"""The steps of a published SOP version as the engine needs them, read once per process.

A published version never changes (sop.services), so its steps, their inputs,
lanes and flows can be kept in memory: an action on a task then costs no
query to know what the step needs and where the flow goes. The cache key
includes the version's creation time, so a restored or re-created database
never finds another version's steps under the same id.
"""

from dataclasses import dataclass
from functools import lru_cache

from kinerja.sop.models import DocumentType, SopVersion, Step


@dataclass(frozen=True)
class StepInfo:
    step: Step  # with lane, lane.position, output and returns_to loaded
    inputs: tuple[DocumentType, ...]
    flows: tuple[tuple[str, int], ...]  # (label, target step number)

    @property
    def number(self) -> int:
        return self.step.number


@dataclass(frozen=True)
class VersionGraph:
    by_number: dict[int, StepInfo]
    by_pk: dict[int, StepInfo]
    starts: tuple[int, ...]

    def next_steps(self, number: int, label: str | None = None) -> list[StepInfo]:
        flows = self.by_number[number].flows
        return [self.by_number[t] for lbl, t in flows if label is None or lbl == label]


def graph_for(version: SopVersion) -> VersionGraph:
    return _graph(version.pk, version.created_at.isoformat())


@lru_cache(maxsize=256)
def _graph(version_id: int, stamp: str) -> VersionGraph:
    version = SopVersion.objects.with_content().get(pk=version_id)
    infos = {}
    for step in version.steps.all():
        infos[step.number] = StepInfo(
            step=step,
            inputs=tuple(i.document_type for i in step.inputs.all()),
            flows=tuple((f.label, f.target.number) for f in step.outgoing.all()),
        )
    starts = tuple(n for n, i in sorted(infos.items()) if i.step.kind == Step.Kind.START)
    if not starts and infos:
        starts = (min(infos),)
    return VersionGraph(infos, {i.step.pk: i for i in infos.values()}, starts)
