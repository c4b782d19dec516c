"""/digest and the scheduled digest: choosing, grouping and summarising articles; Discord side; renderings."""
