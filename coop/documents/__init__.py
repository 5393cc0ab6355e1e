"""Documents to file, print and post: founding documents, registers and postal ballot packs, as HTML pages
and as tagged, accessible PDF."""
