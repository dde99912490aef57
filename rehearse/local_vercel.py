"""The local "Vercel": each deployment of the app is its own stand-in API process, and the alias
says which one serves the app's URL.

As on Vercel, a deployment gets its own URL and stays up after a newer one is promoted, so a
rollback is only a matter of pointing the alias back (the Vercel rollback drill will use that).
The gates read the alias at the moment they run, as they read the production URL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import httpx

from gates.secret import Secret
from rehearse.releases import Release, start_api
from standin.api.server import RELEASE_HEADER
from standin.stack import Stack


class DeployError(Exception):
    """A deployment did not come up or does not serve the release it was built from."""


@dataclass
class Deployment:
    release: Release
    stack: Stack

    @property
    def url(self) -> str:
        return self.stack.api_url


@dataclass
class LocalVercel:
    database_url: str = field(repr=False)
    api_key: Secret
    test_user: str
    logs: Path
    deployments: list[Deployment] = field(default_factory=list)
    alias: Deployment | None = None

    def deploy(self, release: Release) -> Deployment:
        """A new deployment of `release`, answering and reporting its version, not yet promoted."""
        stack = start_api(
            release,
            database_url=self.database_url,
            api_key=self.api_key,
            test_user=self.test_user,
            logs=self.logs,
        )
        deployment = Deployment(release, stack)
        self.deployments.append(deployment)
        served = serving(deployment.url)
        if served != release.version:
            raise DeployError(f"the deployment at {deployment.url} reports release {served}, not {release.version}")
        return deployment

    def promote(self, deployment: Deployment) -> None:
        self.alias = deployment

    @property
    def url(self) -> str:
        if self.alias is None:
            raise DeployError("no deployment is promoted: the app has no URL yet")
        return self.alias.url

    def stop(self) -> None:
        for deployment in self.deployments:
            deployment.stack.stop()


def serving(url: str) -> str:
    """The release label the app at `url` answers with (any route: the header is on every answer)."""
    try:
        response = httpx.get(f"{url}/api/health/worker", timeout=5.0)
    except httpx.HTTPError as error:
        raise DeployError(f"the app at {url} does not answer: {error}") from None
    return response.headers.get(RELEASE_HEADER, "none")
