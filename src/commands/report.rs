//! `elbtls report merge|render`: read saved JSON reports, merge them (`compare::merge`), render.

use std::io::Write;

use anyhow::Context as _;

use crate::cli::ReportJob;
use crate::compare::merge::merge;
use crate::exit::Exit;
use crate::report::audit::read::read_report;
use crate::report::output::OutputFile;

pub(super) fn run(job: &ReportJob, out: &mut impl Write) -> anyhow::Result<Exit> {
    // Every output is checked before the inputs are read.
    let outputs = job
        .outputs
        .iter()
        .map(|(format, path)| Ok((*format, OutputFile::check(path)?)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut inputs = Vec::new();
    for path in &job.files {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{shown}: cannot read the report"))?;
        let report = read_report(&text).map_err(|e| anyhow::anyhow!("{shown}: {e}"))?;
        inputs.push((shown, report));
    }
    let merged = merge(inputs).map_err(anyhow::Error::msg)?;
    for note in &merged.notes {
        super::say::note(crate::text::escape(note));
    }
    let report = merged.report;
    if outputs.is_empty() {
        super::audit::render(&report, job.format, job.color, false, out)?;
    } else {
        for (format, file) in &outputs {
            file.write(|w| super::audit::render(&report, *format, false, true, w))?;
        }
        super::say::line(super::audit::summary_line(&report, &job.outputs));
    }
    let failing = report
        .listeners
        .iter()
        .flat_map(|l| &l.findings)
        .any(|f| f.severity >= job.fail_on && !f.is_accepted());
    Ok(if failing {
        Exit::Findings
    } else if report.incomplete() {
        Exit::Incomplete
    } else {
        Exit::Success
    })
}
