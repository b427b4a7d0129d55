"""`python -m rxapp.cli agent {add,disable,password,list}` and `purge-demo`.

A password is read from standard input (`--password-stdin`), never from the
command line, where any user of the machine could read it in the process list.
Each command is one transaction: a refused `agent add` leaves nothing behind.
"""

from __future__ import annotations

import argparse
import getpass
import sys

PASSWORD_FLAG_HELP = "lire le mot de passe sur l'entrée standard (jamais en argument)"


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register the `agent` and `purge-demo` commands on the main parser."""
    agent = sub.add_parser("agent", help="gérer les comptes des agents")
    actions = agent.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="créer un agent")
    add.add_argument("--login", required=True)
    add.add_argument("--cpam", required=True, help='code organisme, p. ex. "01 011 1411"')
    add.add_argument("--name", required=True, help="nom affiché")
    add.add_argument("--password-stdin", action="store_true", required=True, help=PASSWORD_FLAG_HELP)
    disable = actions.add_parser("disable", help="désactiver un agent et fermer ses sessions")
    disable.add_argument("login")
    password = actions.add_parser("password", help="changer le mot de passe d'un agent")
    password.add_argument("login")
    password.add_argument("--password-stdin", action="store_true", required=True, help=PASSWORD_FLAG_HELP)
    actions.add_parser("list", help="lister les agents")
    cpam = sub.add_parser("cpam", help="déclarer les CPAM auxquelles les agents sont rattachés")
    cpam_actions = cpam.add_subparsers(dest="action", required=True)
    cpam_add = cpam_actions.add_parser("add", help="déclarer une CPAM")
    cpam_add.add_argument("--code", required=True, help='code organisme, p. ex. "01 011 1411"')
    cpam_add.add_argument("--name", required=True, help='p. ex. "CPAM de l\'Ain"')
    cpam_add.add_argument("--city", required=True)
    sub.add_parser("purge-demo", help="supprimer les assurés et agents de démonstration (une transaction)")


def _read_password() -> str:
    if sys.stdin.isatty():
        return getpass.getpass("Mot de passe : ")
    return sys.stdin.readline().rstrip("\r\n")


def run_agent_command(args: argparse.Namespace) -> int:
    """Run one `agent` (or `cpam`) action; a refusal is one French line on stderr and exit code 2."""
    from rxapp.db import session_scope
    from rxapp.services import agents
    from rxapp.services.agents import AgentError

    try:
        if args.command == "cpam":
            with session_scope() as session:
                added = agents.add_cpam(
                    session=session, code_organisme=args.code, name=args.name, city=args.city
                )
            print(f"CPAM « {added.code_organisme} » déclarée.")
        elif args.action == "add":
            password = _read_password()
            with session_scope() as session:
                agents.add_agent(
                    session=session,
                    login=args.login,
                    cpam_code=args.cpam,
                    display_name=args.name,
                    password=password,
                )
            print(f"Agent « {args.login.strip().lower()} » créé.")
        elif args.action == "disable":
            with session_scope() as session:
                revoked = agents.disable_agent(session=session, login=args.login)
            print(f"Agent « {args.login.strip().lower()} » désactivé ; {revoked} session(s) fermée(s).")
        elif args.action == "password":
            password = _read_password()
            with session_scope() as session:
                revoked = agents.set_agent_password(session=session, login=args.login, password=password)
            print(f"Mot de passe changé ; {revoked} session(s) fermée(s).")
        else:
            with session_scope() as session:
                rows = agents.list_agents(session=session)
            print(f"{'IDENTIFIANT':<24} {'CPAM':<12} {'ÉTAT':<10} {'SESSIONS':>8}  NOM")
            for row in rows:
                state = "désactivé" if row.disabled_at else "actif"
                print(
                    f"{row.login:<24} {row.cpam:<12} {state:<10} {row.open_sessions:>8}  {row.display_name}"
                )
    except AgentError as error:
        print(str(error), file=sys.stderr)
        return 2
    return 0


def run_purge_demo() -> int:
    """Delete the demo personas and agents in one transaction, and say how many rows went."""
    from rxapp.db import session_scope
    from rxapp.services.audit import security_event
    from rxapp.services.demo_accounts import DEMO_PURGED, purge_demo_data

    with session_scope() as session:
        report = purge_demo_data(session=session)
    security_event(DEMO_PURGED, deleted=sum(report.deleted.values()))
    print(
        f"Données de démonstration supprimées : {report.count('insured_person')} assurés, "
        f"{report.count('agent')} agents, {sum(report.deleted.values())} lignes en tout."
    )
    return 0
