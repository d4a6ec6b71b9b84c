"""SOP 考核: the SOP's tasks over a simulation's window matched to the events that show them done
(docs/sop-assessment.md): evidence → windows → match → status → compliance."""
