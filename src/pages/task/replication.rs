//! The replication panel: state, health verdict, LSNs, both lag figures, the service's
//! ReplayLag, time since the last message, the connection string (password masked) and the lag
//! chart of this page's refreshes.

use super::lag_chart::{LagChart, Sample};
use crate::app::{tr, use_app};
use crate::clock::now_utc;
use crate::components::values::{Age, Bytes, Fact, NotGiven, OptText, StateBadge};
use crate::i18n::{tf, Key};
use crate::verdicts::{health_label, health_sentence};
use leptos::prelude::*;
use migration_model::{HealthThresholds, MigrationTask, ParseError, ReplicationInfo};

/// The replication panel.
#[component]
pub fn Replication(task: Memo<MigrationTask>, samples: RwSignal<Vec<Sample>>) -> impl IntoView {
    let app = use_app();
    let (lang, now) = (app.lang, app.now);
    let health = Memo::new(move |_| {
        now.track();
        task.with(|t| t.health_verdict(now_utc(), &HealthThresholds::default()))
    });
    let info = Memo::new(move |_| {
        task.with(|t| t.replication().map_err(|e| (matches!(e, ParseError::Empty), e.to_string())))
    });
    let health_view = move || {
        let v = health.get();
        let h = v.health;
        let l = lang.get();
        let label = health_label(h, l);
        view! {
            <span class=format!("badge badge--health-{}", h.as_str()) data-testid="health" data-health=h.as_str()>{label}</span>
            " "
            <span class="muted" data-testid="health-sentence">{health_sentence(&v, l)}</span>
        }
    };
    let details = move || match info.get() {
        Ok(info) => view! { <InfoFacts info/> }.into_any(),
        Err((true, _)) => view! {
            <p class="muted" data-testid="no-replication-info">{tr(Key::NoReplicationInfo)}</p>
        }
        .into_any(),
        Err((false, detail)) => view! {
            <p class="notice notice--warning" data-testid="no-replication-info">
                {move || tf(lang.get(), Key::ReplicationUnreadable, &[("detail", &detail)])}
            </p>
        }
        .into_any(),
    };
    view! {
        <section class="panel" aria-labelledby="replication-heading" data-testid="replication">
            <h2 id="replication-heading">{tr(Key::ReplicationHeading)}</h2>
            <div class="panel__body">
                <dl class="facts">
                    <Fact label=Key::ColReplicationState testid="replication-state">
                        {move || view! { <StateBadge state=task.with(|t| t.replication_state.clone())/> }}
                    </Fact>
                    <Fact label=Key::HealthLabel testid="health-row">{health_view}</Fact>
                </dl>
                {details}
            </div>
            <LagChart samples/>
        </section>
    }
}

#[component]
fn InfoFacts(info: ReplicationInfo) -> impl IntoView {
    let lsn = |v: Option<migration_model::Lsn>| match v {
        Some(v) => view! { <code>{v.to_string()}</code> }.into_any(),
        None => view! { <NotGiven/> }.into_any(),
    };
    let last = info.last_msg_receipt_time.map(|t| t.timestamp_millis());
    let (status, replay_lag) = (info.status.clone(), info.replay_lag.clone());
    let (a, b) = (info.lag_not_yet_replayed(), info.lag_behind_source_report());
    let (l1, l2, l3, l4) = (info.receive_start_lsn, info.received_lsn, info.latest_end_lsn, info.replay_lsn);
    let conninfo = match info.conninfo.clone() {
        Some(c) => view! { <code class="conninfo">{c}</code> }.into_any(),
        None => view! { <NotGiven/> }.into_any(),
    };
    view! {
        <dl class="facts facts--wide">
            <Fact label=Key::ReceiverStatus testid="receiver-status"><OptText value=status/></Fact>
            <Fact label=Key::LsnReceiveStart testid="lsn-receive-start">{lsn(l1)}</Fact>
            <Fact label=Key::LsnReceived testid="lsn-received">{lsn(l2)}</Fact>
            <Fact label=Key::LsnLatestEnd testid="lsn-latest-end">{lsn(l3)}</Fact>
            <Fact label=Key::LsnReplay testid="lsn-replay">{lsn(l4)}</Fact>
            <Fact label=Key::LagNotReplayed testid="lag-a">
                <Bytes value=a testid="lag-not-replayed"/>
            </Fact>
            <Fact label=Key::LagBehindSource testid="lag-b">
                <Bytes value=b testid="lag-behind-source"/>
            </Fact>
            <Fact label=Key::ReplayLagService testid="replay-lag"><OptText value=replay_lag/></Fact>
            <Fact label=Key::SinceLastMessage testid="since-last-message">
                <Age at_ms=last/>
            </Fact>
            <Fact label=Key::Conninfo testid="conninfo">{conninfo}</Fact>
        </dl>
    }
}
