# The project on the official Airflow 3 image, for docker-compose.yml.
FROM apache/airflow:3.3.2-python3.11

USER root
# Pango and fonts for the PDF reports (WeasyPrint).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
COPY --chown=airflow:root . /opt/compliance
USER airflow
WORKDIR /opt/compliance

# Install exactly the locked versions (uv.lock), without the dev tools.
RUN pip install --no-cache-dir uv==0.13.9 \
 && python -m uv export --frozen --no-dev --no-hashes --no-emit-project -o /tmp/requirements.txt \
 && pip install --no-cache-dir -r /tmp/requirements.txt \
 && pip install --no-cache-dir --no-deps .

ENV COMPLIANCE_INBOX=/data/inbox \
    COMPLIANCE_CONTRACTS_DIR=/data/contracts \
    COMPLIANCE_REPORTS_DIR=/data/reports \
    AIRFLOW__CORE__DAGS_FOLDER=/opt/compliance/dags
