# The fiscal-kg API image: `docker compose up` runs it against the neo4j service.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY fiscal_kg fiscal_kg
COPY ontology ontology
COPY loaders loaders
COPY store store
COPY queries queries
COPY api api
COPY samples samples
RUN pip install --no-cache-dir .
ENV FISCAL_KG_DATA=/data
EXPOSE 8000
# Load the bundled samples into Neo4j (idempotent), then serve the API on it.
CMD ["sh", "-c", "fiscal-kg load --store neo4j samples && fiscal-kg serve --store neo4j --host 0.0.0.0 --port 8000"]
