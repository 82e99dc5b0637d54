/// The OpenAPI document served at `/openapi.yaml`: a copy of `docs/openapi.yaml` (a test checks they are the
/// same, and that every route in `PortalRoutes.all` is in it). After editing docs/openapi.yaml, run
/// scripts/sync-openapi.sh to copy it into this literal.
enum OpenAPIDocument {
    static let text = #"""
        openapi: 3.1.0
        info:
          title: drillctl portal API
          version: 1.0.0
          description: |
            The JSON API of the drill portal. Authenticate with the access code printed when the run was created,
            as `Authorization: Bearer CODE`, or with the session cookie set by `POST /signin` (then every POST must
            also send the session's CSRF token as `X-CSRF-Token`, from `GET /api/session`). Roles: `team` (sees
            only its own injects and responses), `evaluator` (sees everything, records observations, cannot respond
            or control), `director` (sees everything, controls the drill). Errors are JSON `{ "error", "reason" }`.
            The HTML pages (`/`, `/signin`, `/signout`, `/team`, `/evaluator`, `/director` and their form posts)
            are listed too; they answer HTML.
        servers:
          - url: /
        components:
          securitySchemes:
            accessCode:
              type: http
              scheme: bearer
              description: The access code of a team, an evaluator or the director.
            session:
              type: apiKey
              in: cookie
              name: drill_session
          parameters:
            inject:
              name: inject
              in: path
              required: true
              description: The inject's id from the scenario.
              schema: { type: string, maxLength: 128 }
          schemas:
            Error:
              type: object
              required: [error, reason]
              properties:
                error: { type: string, description: "unauthenticated, forbidden, not_found, method_not_allowed, csrf, bad_request, invalid, too_large, conflict, rate_limited, unsupported_media_type" }
                reason: { type: string }
            Phase:
              type: object
              required: [phase, status, done, late, claimUnconfirmed]
              properties:
                phase: { type: string, enum: [acknowledge, report, resolve] }
                status: { type: string, enum: [met, late, missed, pending, interrupted, done, notDone, notExpected, notApplicable], description: "The phase's status, computed by the same rules as `drillctl ctl status` and the report." }
                deadlineMillis: { type: integer, description: Exercise milliseconds since STARTEX, extensions included. }
                remainingMillis: { type: integer, description: Exercise milliseconds left; negative when overdue. }
                done: { type: boolean }
                doneAtMillis: { type: integer }
                late: { type: boolean }
                claimUnconfirmed: { type: boolean, description: "For resolve with a check: the team claimed it, the check has not confirmed it." }
            Engine:
              type: object
              required: [alive]
              properties:
                alive: { type: boolean, description: True when the engine's heartbeat is at most 3 s old. }
                lastSeenMillis: { type: integer, description: Exercise time of the engine's last heartbeat. }
            Session:
              type: object
              required: [role, subject, runID]
              properties:
                role: { type: string, enum: [team, evaluator, director] }
                subject: { type: string }
                runID: { type: string }
                csrfToken: { type: string, description: Only for cookie sessions. }
            Inbox:
              type: object
              required: [runID, team, status, exerciseMillis, speed, items]
              properties:
                runID: { type: string }
                team: { type: string }
                status: { type: string, enum: [created, running, paused, aborted, ended] }
                exerciseMillis: { type: integer }
                speed: { type: number }
                engine: { $ref: "#/components/schemas/Engine" }
                items:
                  type: array
                  items:
                    type: object
                    required: [inject, title, message, sequence, phases, reports]
                    properties:
                      inject: { type: string }
                      title: { type: string }
                      message: { type: string }
                      severity: { type: string, enum: [I, II, III, IV] }
                      sequence: { type: integer }
                      deliveredAtMillis: { type: integer }
                      phases: { type: array, items: { $ref: "#/components/schemas/Phase" } }
                      reports:
                        type: array
                        items:
                          type: object
                          properties:
                            sequence: { type: integer }
                            text: { type: string }
                            atMillis: { type: integer }
                            late: { type: boolean }
            Report:
              type: object
              required: [text]
              properties:
                text: { type: string, minLength: 1, maxLength: 8000 }
            Recorded:
              type: object
              required: [sequence, kind, exerciseMillis]
              properties:
                sequence: { type: integer }
                kind: { type: string }
                inject: { type: string }
                team: { type: string }
                phase: { type: string }
                exerciseMillis: { type: integer }
                late: { type: boolean }
            Board:
              type: object
              properties:
                status: { type: string }
                exerciseMillis: { type: integer }
                engine: { $ref: "#/components/schemas/Engine" }
                teams: { type: array, items: { type: string } }
                injects: { type: array, items: { type: string } }
                cells:
                  type: array
                  items:
                    type: object
                    properties:
                      inject: { type: string }
                      team: { type: string }
                      deliveredAtMillis: { type: integer }
                      phases: { type: array, items: { $ref: "#/components/schemas/Phase" } }
                      observations: { type: integer }
            ObservationInput:
              type: object
              required: [inject, team]
              properties:
                inject: { type: string }
                team: { type: string }
                scores:
                  type: object
                  description: Criterion id to a whole number 0-5; criteria from the scenario's `evaluation.rubric`, else detection, reporting, containment, communication.
                  additionalProperties: { type: integer, minimum: 0, maximum: 5 }
                rating: { type: string, enum: [P, S, M, U], description: HSEEP rating. }
                notes: { type: string, maxLength: 8000 }
            Observations:
              type: object
              properties:
                observations:
                  type: array
                  items:
                    allOf:
                      - $ref: "#/components/schemas/ObservationInput"
                      - type: object
                        properties:
                          sequence: { type: integer }
                          evaluator: { type: string }
            Director:
              type: object
              properties:
                runID: { type: string }
                status: { type: string }
                exerciseMillis: { type: integer }
                speed: { type: number }
                engine: { $ref: "#/components/schemas/Engine" }
                next: { type: array, items: { type: object, properties: { inject: { type: string }, title: { type: string }, atMillis: { type: integer } } } }
                fired: { type: array, items: { type: object } }
                pending:
                  type: array
                  description: Every delivered phase still open (pending, or missed and not done yet), by team.
                  items:
                    type: object
                    required: [inject, team, phase, status, claimUnconfirmed]
                    properties:
                      inject: { type: string }
                      team: { type: string }
                      phase: { type: string, enum: [acknowledge, report, resolve] }
                      status: { type: string, enum: [pending, missed] }
                      deadlineMillis: { type: integer }
                      remainingMillis: { type: integer }
                      claimUnconfirmed: { type: boolean, description: "For resolve with a check: the team claimed it, the check has not confirmed it." }
                hostFailures: { type: array, items: { type: object } }
            Control:
              type: object
              required: [action]
              properties:
                action: { type: string, enum: [pause, resume, trigger, extend, abort] }
                inject: { type: string, description: For trigger and extend. }
                team: { type: string, description: "For extend: the one team whose deadline moves (default every team the inject reaches)." }
                teams: { type: array, items: { type: string }, description: "For extend: the teams whose deadline moves." }
                phase: { type: string, enum: [acknowledge, report, resolve], description: For extend. }
                minutes: { type: number, exclusiveMinimum: 0, maximum: 1440, description: For extend. }
                reason: { type: string }
                confirm: { type: boolean, description: Must be true for abort. }
            Reconcile:
              type: object
              required: [inject, team, rating, reason]
              properties:
                inject: { type: string }
                team: { type: string }
                rating: { type: string, enum: [P, S, M, U], description: The panel's agreed HSEEP rating. }
                reason: { type: string, minLength: 1, maxLength: 8000 }
          responses:
            Error:
              description: A refused request.
              content:
                application/json:
                  schema: { $ref: "#/components/schemas/Error" }
        security:
          - accessCode: []
          - session: []
        paths:
          /:
            get:
              summary: Redirects to the signed-in role's page, or to the sign-in page.
              security: []
              responses:
                "303": { description: Redirect. }
          /signin:
            get:
              summary: The sign-in page (HTML).
              security: []
              responses:
                "200": { description: HTML page. }
            post:
              summary: Signs in with an access code (form field `code`); sets an HttpOnly SameSite=Strict session cookie.
              security: []
              requestBody:
                content:
                  application/x-www-form-urlencoded:
                    schema: { type: object, properties: { code: { type: string } } }
              responses:
                "303": { description: Signed in; redirect to the role's page. }
                "401": { description: Unknown code (HTML page). }
                "429": { description: Too many attempts from this address; see Retry-After. }
          /signout:
            post:
              summary: Ends the session (form with the CSRF token).
              responses:
                "303": { description: Signed out. }
                "401": { $ref: "#/components/responses/Error" }
          /team:
            get:
              summary: The team inbox page (HTML); `?fragment=1` returns only the live part.
              responses:
                "200": { description: HTML page. }
                "303": { description: Not signed in; redirect to sign-in. }
                "403": { description: Not a team. }
          /team/injects/{inject}/acknowledge:
            post:
              summary: Form post; acknowledges an inject.
              parameters: [{ $ref: "#/components/parameters/inject" }]
              responses:
                "303": { description: Recorded; back to the inbox. }
                "404": { $ref: "#/components/responses/Error" }
          /team/injects/{inject}/report:
            post:
              summary: Form post; sends a situation report (field `text`).
              parameters: [{ $ref: "#/components/parameters/inject" }]
              responses:
                "303": { description: Recorded; back to the inbox. }
                "422": { $ref: "#/components/responses/Error" }
          /team/injects/{inject}/resolve:
            post:
              summary: Form post; marks an inject resolved.
              parameters: [{ $ref: "#/components/parameters/inject" }]
              responses:
                "303": { description: Recorded; back to the inbox. }
          /evaluator:
            get:
              summary: The evaluator board (HTML).
              responses:
                "200": { description: HTML page. }
          /evaluator/observations:
            post:
              summary: Form post; records an observation.
              responses:
                "303": { description: Recorded. }
          /director:
            get:
              summary: The director's page (HTML).
              responses:
                "200": { description: HTML page. }
          /director/control:
            post:
              summary: Form post; pause, resume, trigger, extend or abort (abort needs `confirm=yes`).
              responses:
                "303": { description: Done. }
                "409": { $ref: "#/components/responses/Error" }
          /openapi.yaml:
            get:
              summary: This document.
              security: []
              responses:
                "200": { description: The OpenAPI document. }
          /api/session:
            get:
              summary: Who the caller is (and the CSRF token for a cookie session).
              responses:
                "200": { description: The session., content: { application/json: { schema: { $ref: "#/components/schemas/Session" } } } }
                "401": { $ref: "#/components/responses/Error" }
          /api/inbox:
            get:
              summary: The team's delivered injects, newest first, with deadlines and its own responses. Team only.
              responses:
                "200": { description: The inbox., content: { application/json: { schema: { $ref: "#/components/schemas/Inbox" } } } }
                "401": { $ref: "#/components/responses/Error" }
                "403": { $ref: "#/components/responses/Error" }
          /api/injects/{inject}/acknowledge:
            post:
              summary: Acknowledges an inject delivered to the caller's team. Team only. Late acknowledgements are kept and marked late.
              parameters: [{ $ref: "#/components/parameters/inject" }]
              responses:
                "201": { description: Recorded., content: { application/json: { schema: { $ref: "#/components/schemas/Recorded" } } } }
                "404": { $ref: "#/components/responses/Error" }
                "409": { $ref: "#/components/responses/Error" }
          /api/injects/{inject}/report:
            post:
              summary: Sends a situation report. Team only.
              parameters: [{ $ref: "#/components/parameters/inject" }]
              requestBody:
                required: true
                content:
                  application/json:
                    schema: { $ref: "#/components/schemas/Report" }
              responses:
                "201": { description: Recorded., content: { application/json: { schema: { $ref: "#/components/schemas/Recorded" } } } }
                "400": { $ref: "#/components/responses/Error" }
                "413": { $ref: "#/components/responses/Error" }
                "422": { $ref: "#/components/responses/Error" }
          /api/injects/{inject}/resolve:
            post:
              summary: Marks an inject resolved. Team only.
              parameters: [{ $ref: "#/components/parameters/inject" }]
              responses:
                "201": { description: Recorded., content: { application/json: { schema: { $ref: "#/components/schemas/Recorded" } } } }
                "404": { $ref: "#/components/responses/Error" }
          /api/board:
            get:
              summary: Every team × inject with each phase's state and time. Evaluator and director.
              responses:
                "200": { description: The board., content: { application/json: { schema: { $ref: "#/components/schemas/Board" } } } }
                "403": { $ref: "#/components/responses/Error" }
          /api/observations:
            get:
              summary: The observations the calling evaluator may see (their own, and others' on pairs they have scored). Evaluator only.
              responses:
                "200": { description: Observations., content: { application/json: { schema: { $ref: "#/components/schemas/Observations" } } } }
            post:
              summary: Records an observation. Evaluator only.
              requestBody:
                required: true
                content:
                  application/json:
                    schema: { $ref: "#/components/schemas/ObservationInput" }
              responses:
                "201": { description: Recorded., content: { application/json: { schema: { $ref: "#/components/schemas/Recorded" } } } }
                "404": { $ref: "#/components/responses/Error" }
                "422": { $ref: "#/components/responses/Error" }
          /api/director:
            get:
              summary: The drill at a glance. Director only.
              responses:
                "200": { description: The overview., content: { application/json: { schema: { $ref: "#/components/schemas/Director" } } } }
          /api/control:
            post:
              summary: Pause, resume, trigger, extend or abort. Director only.
              requestBody:
                required: true
                content:
                  application/json:
                    schema: { $ref: "#/components/schemas/Control" }
              responses:
                "201": { description: Journaled., content: { application/json: { schema: { $ref: "#/components/schemas/Recorded" } } } }
                "404": { $ref: "#/components/responses/Error" }
                "409": { $ref: "#/components/responses/Error" }
                "422": { $ref: "#/components/responses/Error" }
          /api/reconcile:
            post:
              summary: Record the panel's reconciled HSEEP rating of an inject × team where the evaluators split. Director only.
              requestBody:
                required: true
                content:
                  application/json:
                    schema: { $ref: "#/components/schemas/Reconcile" }
              responses:
                "201": { description: Journaled., content: { application/json: { schema: { $ref: "#/components/schemas/Recorded" } } } }
                "404": { $ref: "#/components/responses/Error" }
                "409": { $ref: "#/components/responses/Error" }
                "422": { $ref: "#/components/responses/Error" }
          /api/events:
            get:
              summary: "Live stream (server-sent events) of the journal events the caller may see: event `journal`, data `{sequence, kind, inject, team, phase, action, exerciseMillis}`."
              responses:
                "200": { description: An event stream., content: { text/event-stream: { schema: { type: string } } } }
                "401": { $ref: "#/components/responses/Error" }

        """#
}
