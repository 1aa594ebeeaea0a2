import signal

from django.core.management.base import BaseCommand, CommandError

from ingestion.sandbox import Sandbox


def _interrupt(signum, frame):
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Serve the local platform sandbox (all five platform APIs, deterministic data, fault injection)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--seed", type=int, default=1, help="same seed, same data")
        parser.add_argument("--verbose", action="store_true", help="log every request")

    def handle(self, *args, host, port, seed, verbose, **options):
        try:
            sandbox = Sandbox(seed=seed, host=host, port=port, verbose=verbose)
        except OSError as exc:
            raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
        signal.signal(signal.SIGTERM, _interrupt)  # `make run` stops its children with SIGTERM
        self.stdout.write(f"platform sandbox (seed {seed}) on {sandbox.url}; point the connectors at it with:")
        for name, url in sandbox.api_bases().items():
            self.stdout.write(f"  export {name}={url}")
        self.stdout.flush()
        try:
            sandbox.httpd.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            sandbox.httpd.server_close()
