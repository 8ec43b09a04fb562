-- One row per known channel name (traffic source, campaign type, utm
-- source) in its canonical form (macro clean_code) with its channel group,
-- from the channel_aliases seed, plus every group under its own name. A name
-- that is not here is still a valid channel: its group is `other`.
with

aliases as (

    select * from {{ ref('channel_aliases') }}

),

channel_groups as (

    select * from {{ ref('channel_groups') }}

),

spellings as (

    select
        {{ clean_code('channel') }} as channel,
        {{ clean_code('channel_group') }} as channel_group
    from aliases

    union

    select
        {{ clean_code('channel_group') }} as channel,
        {{ clean_code('channel_group') }} as channel_group
    from channel_groups

),

final as (

    select
        spellings.channel,
        spellings.channel_group,
        channel_groups.description as channel_group_description
    from spellings
    inner join channel_groups
        on
            spellings.channel_group
            = {{ clean_code('channel_groups.channel_group') }}

)

select * from final
