"""/sources and /stats: logic, Discord side, terminal renderings."""
