"""``write_review``: one self-contained HTML file for a review meeting, built from evaluation records alone.

Order of the page: a summary (the data, the date, the best model per headline score with its interval,
whether the lead holds under the paired comparison, models near chance), the headline table (the full
table folded under it), per-class scores, learning curves (when the runs kept a history), confusion
matrices, a gallery of the best, median and worst images, and why other tools give other numbers. No
model is loaded or run: a predictions-only comparison folder gives the same report without the curves.
"""

from __future__ import annotations

from pathlib import Path

from workbench.metrics import NEAR_CHANCE, NEAR_CHANCE_FACTOR, metric_notes, score_label
from workbench.records import atomic_write_text, remove_dead_temporaries
from workbench.report import confusion, figures, score_tables
from workbench.report.error_breakdown import error_breakdown_sections
from workbench.report.page import number, page, section, text
from workbench.report.review_run import ReviewRun, data_label, read_review_run, same_images
from workbench.report.summary import BootstrapSettings, Lead, intervals, leads, near_chance
from workbench.report.tolerance_curves import tolerance_sections


def write_review(
    run_dir: str | Path,
    path: str | Path | None = None,
    *,
    title: str | None = None,
    resamples: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> Path:
    """Write the review report of a comparison folder (or of one record) as one self-contained HTML file.

    Args:
        run_dir: a comparison folder (``compare``, ``workbench evaluate --preds NAME=DIR ...``) or one record.
        path: the HTML file; default ``run_dir/report.html``.
        title: heading of the page; default names the folder.
        resamples: the bootstrap behind every interval and paired comparison (over each record's sampling
            units, ``record.groups``): its number of resamples.
        level: its confidence level.
        seed: its random seed.

    Returns:
        The path written (atomically: a temporary file, then a rename; temporaries that killed writers left
        beside it are removed first).

    Raises:
        RecordError: ``run_dir`` holds no record, or a damaged one (the message names the file).
    """
    run = read_review_run(run_dir)
    settings = BootstrapSettings(resamples=resamples, level=level, seed=seed)
    title = title or f"Segmentation review: {Path(run_dir).resolve().name}"
    target = Path(path) if path is not None else run.path / "report.html"
    remove_dead_temporaries(target.parent, of=target.name)  # of a writer killed before its rename
    return atomic_write_text(target, page(title, _subtitle(run), review_sections(run, settings)))


def review_sections(run: ReviewRun, settings: BootstrapSettings) -> list[str]:
    """The page's sections, in reading order."""
    records = run.records
    boot = intervals(records, settings)
    paired = same_images(records)
    found = leads(records, boot, settings, paired=paired)
    flags = near_chance(records)
    best = found[0].best if found else next(iter(records))
    results = (
        score_tables.headline_table(records, boot, flags, settings, run.configs)
        + score_tables.group_table(records, boot)
        + score_tables.full_table(records, boot, settings)
        + score_tables.settings_table(run.configs)
    )
    sections = [
        section("Summary", _summary(run, found, flags, settings, paired), section_id="summary"),
        section("Results", results, section_id="results"),
        section("Per-class IoU", score_tables.per_class_table(records), section_id="per-class"),
        *error_breakdown_sections(records),
        *tolerance_sections(records, settings),
    ]
    if run.histories:
        sections.append(section("Learning curves", figures.learning_curves(run.histories), section_id="curves"))
    sections += [
        section("Confusion matrices", confusion.confusion_matrices(records), section_id="confusion"),
        section("Gallery: best, median and worst images", figures.gallery(records, best), section_id="gallery"),
        section("Why other tools give other numbers", _conventions(run), section_id="conventions"),
    ]
    return sections


def _subtitle(run: ReviewRun) -> str:
    first = next(iter(run.records.values()))
    return (
        f"Data: {text(data_label(first))}. Evaluated {text(run.created)}. {len(run.records)} "
        f"{'record' if len(run.records) == 1 else 'records'} in the folder {text(run.path.resolve().name)}."
    )


def _summary(run: ReviewRun, found: list[Lead], flags: dict, settings: BootstrapSettings, paired: bool) -> str:
    items = [_lead_item(lead, settings) for lead in found]
    if flags:
        named = "; ".join(f"<b>{text(n)}</b> (mIoU {number(m)}, chance {number(c)})" for n, (m, c) in flags.items())
        items.append(
            f'<span class="flag">{NEAR_CHANCE}</span> {named}: mIoU below {NEAR_CHANCE_FACTOR:g} x the '
            "majority-class chance level (predicting the most frequent class everywhere)."
        )
    else:
        items.append(
            f"No model is near chance (every mIoU is at least {NEAR_CHANCE_FACTOR:g} x the majority-class "
            "chance level)."
        )
    if not paired and len(run.records) > 1:
        items.append(
            '<span class="flag">not paired</span> The records scored different images, so leads are not '
            "tested by the paired comparison."
        )
    if run.left_out:
        folders = "a record folder" if len(run.left_out) == 1 else "record folders"
        items.append(f"Left out: {text(', '.join(run.left_out))} ({folders} that comparison.json does not list).")
    classes = ", ".join(text(n) for n in run.classes.names)
    items.append(f"Classes ({len(run.classes.names)}): {classes}; void ({run.classes.ignore_index}) is left out.")
    return '<ul class="summary">' + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def _lead_item(lead: Lead, settings: BootstrapSettings) -> str:
    label = score_label(lead.key)
    head = (
        f"Best {text(label)}: <b>{text(lead.best)}</b> {number(lead.value)} [{number(lead.low)}, {number(lead.high)}]"
    )
    if lead.runner_up is None:
        return head + " (the only record)."
    if lead.paired is None:
        return head + f"; runner-up {text(lead.runner_up)} (not paired: different images)."
    p = lead.paired
    verdict = "the lead holds" if lead.holds else "within noise: no clear lead"
    return (
        f"{head}; ahead of {text(lead.runner_up)} by {number(p['difference'])} "
        f"[{number(p['low'])}, {number(p['high'])}], better in {p['share_a_better']:.0%} of "
        f"{settings.resamples} paired resamples: <b>{verdict}</b>."
    )


def _conventions(run: ReviewRun) -> str:
    notes = metric_notes(run.classes.ignore_index)
    listed = "".join(f"<li>{text(notes[k])}</li>" for k in ("void", "boundary_iou_d", "bf_theta", "averaging"))
    return (
        f"<p>The workbench computes every region score from one confusion matrix over the whole set (its "
        f"conventions are listed below the table); other tools average differently, so the same masks give "
        f"other numbers:</p>\n"
        f"{score_tables.conventions_table(run.records)}\n<p>The workbench's conventions:</p><ul>{listed}</ul>"
    )
