from migrations_checks.cli import run_and_exit

run_and_exit()
